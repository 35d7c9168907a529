package org.jbtrfs.fs.write;

import java.io.IOException;

/** A failure with a specific POSIX errno, for the FUSE layer to return as is. */
public final class FsError extends IOException {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int E2BIG = 7;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EXDEV = 18;
  public static final int ENOTDIR = 20;
  public static final int EISDIR = 21;
  public static final int EINVAL = 22;
  public static final int EFBIG = 27;
  public static final int ENOSPC = 28;
  public static final int EROFS = 30;
  public static final int ENAMETOOLONG = 36;
  public static final int ENOTEMPTY = 39;
  public static final int ENODATA = 61;
  public static final int EMLINK = 31;
  public static final int EOPNOTSUPP = 95;

  /** An xattr name of the wrong length: ERANGE, as the kernel answers. */
  public static final int ERANGE_NAME = 34;

  private final int errno;

  public FsError(int errno, String message) {
    super(message);
    this.errno = errno;
  }

  public int errno() {
    return errno;
  }
}
