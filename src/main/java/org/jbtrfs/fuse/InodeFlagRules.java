package org.jbtrfs.fuse;

import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.write.FsError;

/**
 * What immutable (chattr +i) and append-only (+a) inodes refuse, with EPERM and even to root, as
 * the kernel's VFS refuses it (may_open, notify_change, may_delete, may_linkat, vfs_fallocate,
 * may_write_xattr). The kernel's FUSE client cannot check these itself: it does not know the flags.
 */
final class InodeFlagRules {
  private static final int O_APPEND = 02000;
  private static final int FALLOC_KEEP_SIZE = 1;

  private InodeFlagRules() {}

  static boolean immutable(InodeItem i) {
    return (i.flags() & InodeItem.FLAG_IMMUTABLE) != 0;
  }

  static boolean appendOnly(InodeItem i) {
    return (i.flags() & InodeItem.FLAG_APPEND) != 0;
  }

  private static boolean either(InodeItem i) {
    return immutable(i) || appendOnly(i);
  }

  private static FsError refused(String what) {
    return new FsError(FsError.EPERM, what);
  }

  /** Opening for writing or truncation; an append-only file only for appending. */
  static void checkOpen(InodeItem i, int flags) throws FsError {
    boolean write = (flags & FileModes.O_ACCMODE) != 0;
    boolean trunc = (flags & FileModes.O_TRUNC) != 0;
    if (immutable(i) && (write || trunc)) throw refused("immutable file");
    if (appendOnly(i) && (trunc || (write && (flags & O_APPEND) == 0)))
      throw refused("append-only file opened without O_APPEND or with O_TRUNC");
  }

  /**
   * copy_file_range into an immutable file, even through a descriptor opened before +i
   * (generic_copy_file_checks). An append-only destination needs no check here: it can only be open
   * with O_APPEND, which the kernel refuses for copy_file_range before asking.
   */
  static void checkCopyInto(InodeItem i) throws FsError {
    if (immutable(i)) throw refused("copy into an immutable file");
  }

  /**
   * chmod, chown, truncate and explicit times; "now" times only on immutable ones. An ftruncate
   * through a descriptor opened before +i is allowed, as in the kernel (only +a refuses it).
   */
  static void checkSetattr(InodeItem i, int valid) throws FsError {
    if (!either(i)) return;
    int owner = FuseProtocol.FATTR_MODE | FuseProtocol.FATTR_UID | FuseProtocol.FATTR_GID;
    if ((valid & owner) != 0) throw refused("immutable or append-only");
    boolean viaHandle = (valid & FuseProtocol.FATTR_FH) != 0;
    if ((valid & FuseProtocol.FATTR_SIZE) != 0 && (appendOnly(i) || !viaHandle))
      throw refused("immutable or append-only");
    boolean explicitTime =
        ((valid & FuseProtocol.FATTR_ATIME) != 0 && (valid & FuseProtocol.FATTR_ATIME_NOW) == 0)
            || ((valid & FuseProtocol.FATTR_MTIME) != 0
                && (valid & FuseProtocol.FATTR_MTIME_NOW) == 0);
    boolean anyTime = (valid & (FuseProtocol.FATTR_ATIME | FuseProtocol.FATTR_MTIME)) != 0;
    if (explicitTime || (anyTime && immutable(i))) throw refused("immutable or append-only");
  }

  /** Removing or replacing a name: neither the directory nor the inode may be protected. */
  static void checkDelete(InodeItem dir, InodeItem victim) throws FsError {
    if (either(dir)) throw refused("directory is immutable or append-only");
    if (victim != null && either(victim)) throw refused("immutable or append-only");
  }

  /** Adding a name: an append-only directory allows it, an immutable one does not. */
  static void checkCreateIn(InodeItem dir) throws FsError {
    if (immutable(dir)) throw refused("directory is immutable");
  }

  /** A moved directory's ".." changes, which an immutable directory refuses. */
  static void checkMovedDir(InodeItem moving) throws FsError {
    if (immutable(moving)) throw refused("immutable directory");
  }

  static void checkLink(InodeItem source) throws FsError {
    if (either(source)) throw refused("immutable or append-only");
  }

  static void checkXattrChange(InodeItem i) throws FsError {
    if (either(i)) throw refused("immutable or append-only");
  }

  /** Only a pure preallocation (KEEP_SIZE or none) on an append-only file. */
  static void checkFallocate(InodeItem i, int mode) throws FsError {
    if (immutable(i)) throw refused("immutable file");
    if (appendOnly(i) && (mode & ~FALLOC_KEEP_SIZE) != 0) throw refused("append-only file");
  }
}
