package org.jbtrfs.fuse;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jbtrfs.format.UnsupportedFeatureException;

/**
 * The one mapping from Java exceptions to errno values (the values themselves are ErrnoValues) from
 * Java exceptions to them.
 */
final class Errno implements org.jbtrfs.os.ErrnoValues {
  private Errno() {}

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
    if (t instanceof org.jbtrfs.relocation.Balance.Cancelled) return -ECANCELED;
    if (t instanceof org.jbtrfs.txn.AbortedException) return -EROFS;
    if (t instanceof UnsupportedFeatureException) {
      LOG.warning(op + " " + path + ": " + t.getMessage());
      return -EOPNOTSUPP;
    }
    if (t instanceof OutOfMemoryError) {
      LOG.severe(op + " " + path + ": out of memory");
      return -ENOMEM;
    }
    if (t instanceof org.jbtrfs.format.StructureNeedsCleaningException) {
      LOG.warning(op + " " + path + ": " + t.getMessage());
      return -EUCLEAN;
    }
    if (t instanceof IOException) {
      LOG.warning(op + " " + path + ": " + t.getMessage());
      return -EIO;
    }
    LOG.log(Level.SEVERE, op + " " + path + " failed", t);
    return -EIO;
  }
}
