package org.jbtrfs.txn;

import java.io.IOException;

/** A commit failed earlier; the filesystem accepts no more changes (EROFS), like a kernel abort. */
public final class AbortedException extends IOException {
  public AbortedException(String message) {
    super(message);
  }
}
