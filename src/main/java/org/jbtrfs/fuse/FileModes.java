package org.jbtrfs.fuse;

import org.jbtrfs.format.FileType;

/** Mode bits, open flags and xattr flags as FUSE requests carry them. */
final class FileModes {
  private FileModes() {}

  static final int S_ISUID = 04000;
  static final int S_ISGID = 02000;
  static final int S_IXGRP = 010;
  static final int O_ACCMODE = 3;
  static final int O_TRUNC = 01000;
  static final int O_DIRECT = 040000;
  static final int XATTR_CREATE = 1;
  static final int XATTR_REPLACE = 2;

  /**
   * True for a mode the kernel's btrfs would show: one file type and permission bits only. Another
   * mode (a corrupt inode) must not reach the kernel's FUSE client, which would take a garbage type
   * that happens to read as a FIFO for one, so that opening the file blocks for a writer forever.
   */
  static boolean isShowable(int mode) {
    if ((mode & ~(FileType.S_IFMT | 07777)) != 0) return false;
    return switch (mode & FileType.S_IFMT) {
      case FileType.S_IFREG,
          FileType.S_IFDIR,
          FileType.S_IFLNK,
          FileType.S_IFCHR,
          FileType.S_IFBLK,
          FileType.S_IFIFO,
          FileType.S_IFSOCK ->
          true;
      default -> false;
    };
  }

  /** The d_type of a directory entry (DT_REG ...) for a btrfs dir item type. */
  static int direntType(int fileType) {
    int mode =
        switch (fileType) {
          case FileType.REG -> FileType.S_IFREG;
          case FileType.DIR -> FileType.S_IFDIR;
          case FileType.CHRDEV -> FileType.S_IFCHR;
          case FileType.BLKDEV -> FileType.S_IFBLK;
          case FileType.FIFO -> FileType.S_IFIFO;
          case FileType.SOCK -> FileType.S_IFSOCK;
          case FileType.SYMLINK -> FileType.S_IFLNK;
          default -> 0;
        };
    return mode >>> 12;
  }

  /**
   * The mode after a change that must drop set-id bits, for a caller in the file's group or with
   * CAP_FSETID: setuid goes, and setgid when the group may execute.
   */
  static int withoutSetId(int mode) {
    return withoutSetId(mode, true);
  }

  /**
   * The kernel's setattr_should_drop_suidgid: setuid always goes; setgid goes when the group may
   * execute, and also without group execute when the caller is neither in the file's group nor
   * privileged ({@code inGroupOrCapable} false).
   */
  static int withoutSetId(int mode, boolean inGroupOrCapable) {
    mode &= ~S_ISUID;
    if ((mode & S_IXGRP) != 0 || !inGroupOrCapable) mode &= ~S_ISGID;
    return mode;
  }
}
