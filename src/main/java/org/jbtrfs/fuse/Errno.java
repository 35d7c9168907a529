package org.jbtrfs.fuse;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jbtrfs.format.UnsupportedFeatureException;

/** errno values and the one mapping from Java exceptions to them. */
final class Errno {
  private Errno() {}

  static final int EPERM = 1;
  static final int ENOENT = 2;
  static final int EINTR = 4;
  static final int EIO = 5;
  static final int EBADF = 9;
  static final int EAGAIN = 11;
  static final int ENOMEM = 12;
  static final int EACCES = 13;
  static final int EEXIST = 17;
  static final int EXDEV = 18;
  static final int ENODEV = 19;
  static final int ENOTTY = 25;
  static final int ENOTDIR = 20;
  static final int EISDIR = 21;
  static final int EINVAL = 22;
  static final int EFBIG = 27;
  static final int ENOSPC = 28;
  static final int EROFS = 30;
  static final int ERANGE = 34;
  static final int ENAMETOOLONG = 36;
  static final int ENOSYS = 38;
  static final int ENOTEMPTY = 39;
  static final int ENODATA = 61;
  static final int EPROTO = 71;
  static final int EOPNOTSUPP = 95;

  private static final Logger LOG = Logger.getLogger(Errno.class.getName());

  /** Negative errno for a failure, logging anything that is not an ordinary lookup miss. */
  static int of(Throwable t, String op, String path) {
    LOG.fine(() -> op + " " + path + ": " + t);
    if (t instanceof FileNotFoundException || t instanceof java.nio.file.NoSuchFileException)
      return -ENOENT;
    if (t instanceof org.jbtrfs.fs.write.FsError e) return -e.errno();
    if (t instanceof java.nio.file.FileAlreadyExistsException) return -EEXIST;
    if (t instanceof java.nio.file.DirectoryNotEmptyException) return -ENOTEMPTY;
    if (t instanceof java.nio.file.NotDirectoryException) return -ENOTDIR;
    if (t instanceof org.jbtrfs.extent.NoSpaceException) return -ENOSPC;
    if (t instanceof org.jbtrfs.txn.AbortedException) return -EROFS;
    if (t instanceof UnsupportedFeatureException) {
      LOG.warning(op + " " + path + ": " + t.getMessage());
      return -EOPNOTSUPP;
    }
    if (t instanceof OutOfMemoryError) {
      LOG.severe(op + " " + path + ": out of memory");
      return -ENOMEM;
    }
    if (t instanceof IOException) {
      LOG.warning(op + " " + path + ": " + t.getMessage());
      return -EIO;
    }
    LOG.log(Level.SEVERE, op + " " + path + " failed", t);
    return -EIO;
  }
}
