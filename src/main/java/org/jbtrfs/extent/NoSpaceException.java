package org.jbtrfs.extent;

import java.io.IOException;

/** No free space of the needed type is left (ENOSPC). */
public class NoSpaceException extends IOException {
  public NoSpaceException(String message) {
    super(message);
  }
}
