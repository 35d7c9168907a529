package org.jbtrfs.fs.write;

import java.io.IOException;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.compress.CompressionType;

/**
 * The flags chattr sets and lsattr shows (FS_IOC_GETFLAGS/SETFLAGS, and the common ones through
 * FS_IOC_FSGETXATTR/FSSETXATTR), kept as btrfs inode flags with the kernel's btrfs_fileattr_set
 * rules: which flags exist, which combinations are refused, NOCOW only on an empty file (it also
 * turns checksums off) or a directory, and the compression flags together with the
 * btrfs.compression property.
 */
public final class FileAttributes {
  public static final int FS_COMPR_FL = 0x4;
  public static final int FS_SYNC_FL = 0x8;
  public static final int FS_IMMUTABLE_FL = 0x10;
  public static final int FS_APPEND_FL = 0x20;
  public static final int FS_NODUMP_FL = 0x40;
  public static final int FS_NOATIME_FL = 0x80;
  public static final int FS_NOCOMP_FL = 0x400;
  public static final int FS_DIRSYNC_FL = 0x10000;
  public static final int FS_NOCOW_FL = 0x800000;

  /** Flags FS_IOC_FSSETXATTR shares with FS_IOC_SETFLAGS (the kernel's FS_COMMON_FL). */
  public static final int COMMON =
      FS_SYNC_FL | FS_IMMUTABLE_FL | FS_APPEND_FL | FS_NODUMP_FL | FS_NOATIME_FL;

  public static final int XFLAG_IMMUTABLE = 0x8;
  public static final int XFLAG_APPEND = 0x10;
  public static final int XFLAG_SYNC = 0x20;
  public static final int XFLAG_NOATIME = 0x40;
  public static final int XFLAG_NODUMP = 0x80;
  public static final int XFLAGS_COMMON =
      XFLAG_IMMUTABLE | XFLAG_APPEND | XFLAG_SYNC | XFLAG_NOATIME | XFLAG_NODUMP;

  private static final int SUPPORTED =
      COMMON | FS_DIRSYNC_FL | FS_NOCOW_FL | FS_COMPR_FL | FS_NOCOMP_FL;

  /** FS_* flag, btrfs inode flag: the pairs that map one to one. */
  private static final long[][] PAIRS = {
    {FS_SYNC_FL, InodeItem.FLAG_SYNC},
    {FS_IMMUTABLE_FL, InodeItem.FLAG_IMMUTABLE},
    {FS_APPEND_FL, InodeItem.FLAG_APPEND},
    {FS_NODUMP_FL, InodeItem.FLAG_NODUMP},
    {FS_NOATIME_FL, InodeItem.FLAG_NOATIME},
    {FS_DIRSYNC_FL, InodeItem.FLAG_DIRSYNC},
    {FS_NOCOW_FL, InodeItem.FLAG_NODATACOW},
    {FS_COMPR_FL, InodeItem.FLAG_COMPRESS},
    {FS_NOCOMP_FL, InodeItem.FLAG_NOCOMPRESS},
  };

  /** FS_XFLAG_* and FS_*_FL of the same meaning. */
  private static final int[][] XPAIRS = {
    {XFLAG_IMMUTABLE, FS_IMMUTABLE_FL},
    {XFLAG_APPEND, FS_APPEND_FL},
    {XFLAG_SYNC, FS_SYNC_FL},
    {XFLAG_NOATIME, FS_NOATIME_FL},
    {XFLAG_NODUMP, FS_NODUMP_FL},
  };

  private final FileTree ft;
  private final CompressionProperty property;

  FileAttributes(FileTree ft, CompressionProperty property) {
    this.ft = ft;
    this.property = property;
  }

  /** What lsattr shows for an inode (btrfs_inode_flags_to_fsflags). */
  public static int fsFlags(InodeItem i) {
    int out = 0;
    for (long[] p : PAIRS) if ((i.flags() & p[1]) != 0) out |= (int) p[0];
    return out;
  }

  /** The FS_XFLAG_* form of the common flags, as FS_IOC_FSGETXATTR reports them. */
  public static int toXflags(int fsFlags) {
    int out = 0;
    for (int[] p : XPAIRS) if ((fsFlags & p[1]) != 0) out |= p[0];
    return out;
  }

  public static int fromXflags(int xflags) {
    int out = 0;
    for (int[] p : XPAIRS) if ((xflags & p[0]) != 0) out |= p[1];
    return out;
  }

  /**
   * Sets the inode's flags to {@code requested} (FS_* bits). {@code commonOnly}: the request came
   * as FS_IOC_FSSETXATTR, which changes only the common flags. {@code mountCompression}: the
   * mount's compress= algorithm, which +c records in btrfs.compression (zlib when the mount
   * compresses nothing, as the kernel's default).
   */
  public void set(long ino, int requested, boolean commonOnly, CompressionType mountCompression)
      throws IOException {
    InodeItem i = ft.inode(ino);
    int wanted = maskForType(i.mode(), requested);
    int old = fsFlags(i);
    check(old, wanted);
    long b = i.flags();
    for (long[] p : PAIRS) {
      if ((p[0] & COMMON) == 0) continue;
      b = (wanted & p[0]) != 0 ? b | p[1] : b & ~p[1];
    }
    if (!commonOnly) {
      b = (wanted & FS_DIRSYNC_FL) != 0 ? b | InodeItem.FLAG_DIRSYNC : b & ~InodeItem.FLAG_DIRSYNC;
      b = nocow(i, wanted, b);
      CompressionType chosen = null;
      if ((wanted & FS_NOCOMP_FL) != 0) {
        b = (b & ~InodeItem.FLAG_COMPRESS) | InodeItem.FLAG_NOCOMPRESS;
      } else if ((wanted & FS_COMPR_FL) != 0) {
        b = (b & ~InodeItem.FLAG_NOCOMPRESS) | InodeItem.FLAG_COMPRESS;
        chosen = mountCompression == CompressionType.NONE ? CompressionType.ZLIB : mountCompression;
      } else {
        b &= ~(InodeItem.FLAG_COMPRESS | InodeItem.FLAG_NOCOMPRESS);
      }
      // As the kernel: +c records the algorithm as the file's property; anything else drops it.
      if (chosen != null) property.storeAlgorithm(ino, chosen);
      else property.drop(ino);
    }
    InodeItem now = ft.inode(ino);
    ft.putInode(ino, now.withFlags(b).withTimes(now.atime(), FileTree.now(), now.mtime()));
  }

  /**
   * NOCOW: a directory just keeps it (for what is created inside); a regular file takes it, with
   * NODATASUM, only while empty, so the flag never claims data that was written with checksums.
   */
  private static long nocow(InodeItem i, int wanted, long b) {
    boolean regular = FileType.isReg(i.mode());
    long both = InodeItem.FLAG_NODATACOW | InodeItem.FLAG_NODATASUM;
    if ((wanted & FS_NOCOW_FL) != 0) {
      if (!regular) return b | InodeItem.FLAG_NODATACOW;
      return i.size() == 0 ? b | both : b;
    }
    // Clearing follows the same rule: a file with data keeps what its data was written as.
    if (regular) return i.size() == 0 ? b & ~both : b;
    return b & ~InodeItem.FLAG_NODATACOW;
  }

  /** btrfs_mask_fsflags_for_type: DIRSYNC means nothing on a file, most flags nothing on others. */
  static int maskForType(int mode, int flags) {
    if (FileType.isDir(mode)) return flags;
    if (FileType.isReg(mode)) return flags & ~FS_DIRSYNC_FL;
    return flags & (FS_NODUMP_FL | FS_NOATIME_FL);
  }

  /** check_fsflags: unknown flags are refused, and compression never meets NOCOW. */
  static void check(int old, int wanted) throws FsError {
    if ((wanted & ~SUPPORTED) != 0)
      throw new FsError(
          FsError.EOPNOTSUPP,
          "inode flags 0x" + Integer.toHexString(wanted & ~SUPPORTED) + " are not btrfs's");
    int compression = FS_COMPR_FL | FS_NOCOMP_FL;
    if ((wanted & compression) == compression)
      throw new FsError(FsError.EINVAL, "compress and nocompress at once");
    if ((wanted & FS_COMPR_FL) != 0 && (wanted & FS_NOCOW_FL) != 0)
      throw new FsError(FsError.EINVAL, "compression and nocow at once");
    if ((old & FS_NOCOW_FL) != 0 && (wanted & compression) != 0)
      throw new FsError(FsError.EINVAL, "compression flags on a nocow inode");
    if ((wanted & FS_NOCOW_FL) != 0 && (old & compression) != 0)
      throw new FsError(FsError.EINVAL, "nocow on an inode with compression flags");
  }
}
