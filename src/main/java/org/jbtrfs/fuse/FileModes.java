package org.jbtrfs.fuse;

import org.jbtrfs.format.FileType;
import org.jbtrfs.format.Timespec;

/** Mode bits, xattr flags and utimensat markers as the FUSE calls carry them. */
final class FileModes {
  private FileModes() {}

  static final int S_ISUID = 04000;
  static final int S_ISGID = 02000;
  static final int XATTR_CREATE = 1;
  static final int XATTR_REPLACE = 2;
  private static final long UTIME_NOW = (1L << 30) - 1;
  private static final long UTIME_OMIT = (1L << 30) - 2;

  static int ofDirEntryType(int fileType) {
    return switch (fileType) {
      case FileType.REG -> FileType.S_IFREG;
      case FileType.DIR -> FileType.S_IFDIR;
      case FileType.CHRDEV -> FileType.S_IFCHR;
      case FileType.BLKDEV -> FileType.S_IFBLK;
      case FileType.FIFO -> FileType.S_IFIFO;
      case FileType.SOCK -> FileType.S_IFSOCK;
      case FileType.SYMLINK -> FileType.S_IFLNK;
      default -> 0;
    };
  }

  /** A utimensat time: UTIME_NOW means now, UTIME_OMIT keeps the old value. */
  static Timespec time(ru.serce.jnrfuse.struct.Timespec t, Timespec old, Timespec now) {
    long nsec = t.tv_nsec.longValue();
    if (nsec == UTIME_NOW) return now;
    if (nsec == UTIME_OMIT) return old;
    return new Timespec(t.tv_sec.get(), (int) nsec);
  }
}
