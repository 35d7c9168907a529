package org.jbtrfs.format;

import java.io.IOException;

/** Raised when on-disk data is malformed, fails its checksum, or uses an unsupported feature. */
public class FormatException extends IOException {
  public FormatException(String message) {
    super(message);
  }

  public FormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
