package org.jbtrfs.fuse;

/**
 * The FUSE kernel protocol as jbtrfs speaks it (version 7.38, linux/fuse.h): opcodes, flags and the
 * sizes of the fixed parts of requests and replies. Field offsets live with the code that reads or
 * writes each structure ({@link FuseRequest}, {@link FuseReply}).
 */
final class FuseProtocol {
  private FuseProtocol() {}

  static final int MAJOR = 7;

  /** The newest minor version whose structures this code lays out; the kernel adapts to it. */
  static final int MINOR = 38;

  static final long ROOT_ID = 1;

  // Opcodes.
  static final int LOOKUP = 1;
  static final int FORGET = 2;
  static final int GETATTR = 3;
  static final int SETATTR = 4;
  static final int READLINK = 5;
  static final int SYMLINK = 6;
  static final int MKNOD = 8;
  static final int MKDIR = 9;
  static final int UNLINK = 10;
  static final int RMDIR = 11;
  static final int RENAME = 12;
  static final int LINK = 13;
  static final int OPEN = 14;
  static final int READ = 15;
  static final int WRITE = 16;
  static final int STATFS = 17;
  static final int RELEASE = 18;
  static final int FSYNC = 20;
  static final int SETXATTR = 21;
  static final int GETXATTR = 22;
  static final int LISTXATTR = 23;
  static final int REMOVEXATTR = 24;
  static final int FLUSH = 25;
  static final int INIT = 26;
  static final int OPENDIR = 27;
  static final int READDIR = 28;
  static final int RELEASEDIR = 29;
  static final int FSYNCDIR = 30;
  static final int ACCESS = 34;
  static final int CREATE = 35;
  static final int INTERRUPT = 36;
  static final int DESTROY = 38;
  static final int IOCTL = 39;
  static final int BATCH_FORGET = 42;
  static final int FALLOCATE = 43;
  static final int READDIRPLUS = 44;
  static final int RENAME2 = 45;
  static final int LSEEK = 46;
  static final int COPY_FILE_RANGE = 47;
  static final int SYNCFS = 50;
  static final int TMPFILE = 51;
  static final int STATX = 52;

  // INIT flags (the first 32 bits).
  static final int INIT_ASYNC_READ = 1;
  static final int INIT_ATOMIC_O_TRUNC = 1 << 3;
  static final int INIT_EXPORT_SUPPORT = 1 << 4;
  static final int INIT_BIG_WRITES = 1 << 5;
  static final int INIT_DONT_MASK = 1 << 6;
  static final int INIT_DO_READDIRPLUS = 1 << 13;
  static final int INIT_READDIRPLUS_AUTO = 1 << 14;
  static final int INIT_PARALLEL_DIROPS = 1 << 18;
  static final int INIT_POSIX_ACL = 1 << 20;
  static final int INIT_MAX_PAGES = 1 << 22;
  static final int INIT_NO_OPENDIR_SUPPORT = 1 << 24;
  static final int INIT_HANDLE_KILLPRIV_V2 = 1 << 28;
  static final int INIT_SETXATTR_EXT = 1 << 29;

  /** flags2 follows in fuse_init_in and fuse_init_out. */
  static final int INIT_EXT = 1 << 30;

  // INIT flags2, as bits 32-63.
  static final long INIT_ALLOW_IDMAP = 1L << 40;

  /** A request's uid and gid when the kernel gives none (idmapped mounts allowed, no creation). */
  static final int INVALID_UIDGID = -1;

  // SETATTR valid bits.
  static final int FATTR_MODE = 1;
  static final int FATTR_UID = 1 << 1;
  static final int FATTR_GID = 1 << 2;
  static final int FATTR_SIZE = 1 << 3;
  static final int FATTR_ATIME = 1 << 4;
  static final int FATTR_MTIME = 1 << 5;
  static final int FATTR_FH = 1 << 6;
  static final int FATTR_ATIME_NOW = 1 << 7;
  static final int FATTR_MTIME_NOW = 1 << 8;
  static final int FATTR_LOCKOWNER = 1 << 9;
  static final int FATTR_KILL_SUIDGID = 1 << 11;

  // open reply flags.
  static final int FOPEN_DIRECT_IO = 1;
  static final int FOPEN_KEEP_CACHE = 1 << 1;

  static final int OPEN_KILL_SUIDGID = 1;
  static final int WRITE_KILL_SUIDGID = 1 << 2;
  static final int GETATTR_FH = 1;

  static final int RENAME_NOREPLACE = 1;

  /** fuse_setxattr_in.setxattr_flags: the caller may not keep the set-gid bit (ACL change). */
  static final int SETXATTR_ACL_KILL_SGID = 1;

  /** struct fuse_setxattr_in with SETXATTR_EXT { size, flags, setxattr_flags, padding }. */
  static final int SETXATTR_IN_EXT = 16;

  static final int SETXATTR_IN_COMPAT = 8;

  static final int NOTIFY_INVAL_INODE = 2;
  static final int NOTIFY_INVAL_ENTRY = 3;

  // Sizes.
  static final int IN_HEADER = 40;

  /** Where an ioctl's input starts in FUSE_IOCTL: after struct fuse_ioctl_in. */
  static final int IOCTL_IN_DATA = 32;

  static final int OUT_HEADER = 16;
  static final int ATTR = 88;
  static final int ENTRY_OUT = 40 + ATTR;
  static final int INIT_OUT = 64;
  static final int DIRENT_HEADER = 24;
}
