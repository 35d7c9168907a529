package org.jbtrfs.format;

/** Directory entry file types and their mapping to POSIX mode bits. */
public final class FileType {
  private FileType() {}

  public static final int UNKNOWN = 0;
  public static final int REG = 1;
  public static final int DIR = 2;
  public static final int CHRDEV = 3;
  public static final int BLKDEV = 4;
  public static final int FIFO = 5;
  public static final int SOCK = 6;
  public static final int SYMLINK = 7;
  public static final int XATTR = 8;

  /** Types are below this (BTRFS_FT_MAX). */
  public static final int COUNT = 9;

  /** Dir item type bit for an fscrypt-encrypted name; not part of the type. */
  public static final int ENCRYPTED = 0x80;

  public static final int S_ISUID = 04000;
  public static final int S_ISGID = 02000;
  public static final int S_ISVTX = 01000;

  public static final int S_IFMT = 0170000;
  public static final int S_IFSOCK = 0140000;
  public static final int S_IFLNK = 0120000;
  public static final int S_IFREG = 0100000;
  public static final int S_IFBLK = 0060000;
  public static final int S_IFDIR = 0040000;
  public static final int S_IFCHR = 0020000;
  public static final int S_IFIFO = 0010000;

  public static boolean isDir(int mode) {
    return (mode & S_IFMT) == S_IFDIR;
  }

  public static boolean isReg(int mode) {
    return (mode & S_IFMT) == S_IFREG;
  }

  public static boolean isSymlink(int mode) {
    return (mode & S_IFMT) == S_IFLNK;
  }
}
