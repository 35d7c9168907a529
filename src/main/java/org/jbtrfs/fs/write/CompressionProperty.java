package org.jbtrfs.fs.write;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.compress.CompressionType;

/**
 * The btrfs.compression property with the kernel's rules (fs/btrfs/props.c): a value names an
 * algorithm by its prefix ("zstd", "zstd:3" and "zlibx" all count) and sets the COMPRESS flag, "no"
 * or "none" sets NOCOMPRESS, an empty value or a removal clears both; nodatacow/nodatasum inodes
 * take no value; on anything but a file or a directory it is accepted and ignored. New inodes
 * inherit the algorithm (not "none") from their directory.
 */
public final class CompressionProperty {
  public static final byte[] NAME = "btrfs.compression".getBytes(StandardCharsets.US_ASCII);

  private static final String[] ALGORITHMS = {"zlib", "lzo", "zstd"};
  private static final CompressionType[] TYPES = {
    CompressionType.ZLIB, CompressionType.LZO, CompressionType.ZSTD
  };

  private final FileTree ft;
  private final Xattrs xattrs;

  CompressionProperty(FileTree ft, Xattrs xattrs) {
    this.ft = ft;
    this.xattrs = xattrs;
  }

  /** The algorithm a value names, NONE for "no"/"none", or null for a value that is not valid. */
  public static CompressionType parse(byte[] value) {
    String v = new String(value, StandardCharsets.ISO_8859_1);
    for (int i = 0; i < ALGORITHMS.length; i++) if (v.startsWith(ALGORITHMS[i])) return TYPES[i];
    if (v.equals("no") || v.equals("none")) return CompressionType.NONE;
    return null;
  }

  /** The incompat bit a filesystem needs before extents of {@code t} may be written (0: none). */
  public static long incompatFor(CompressionType t) {
    return switch (t) {
      case LZO -> FeatureFlags.INCOMPAT_COMPRESS_LZO;
      case ZSTD -> FeatureFlags.INCOMPAT_COMPRESS_ZSTD;
      default -> 0;
    };
  }

  public static boolean isName(byte[] name) {
    return Arrays.equals(name, NAME);
  }

  /** setxattr: validates, stores, and sets the flags the value stands for. */
  void set(long ino, byte[] value) throws IOException {
    if (value.length == 0) {
      // Unlike removexattr, an empty value succeeds when there is nothing to remove.
      remove(ino);
      return;
    }
    InodeItem i = ft.inode(ino);
    CompressionType t = parse(value);
    if (!canCompress(i) || t == null)
      throw new FsError(
          FsError.EINVAL,
          t == null
              ? "btrfs.compression: unknown value '"
                  + new String(value, StandardCharsets.UTF_8)
                  + "'"
              : "btrfs.compression on a nodatacow or nodatasum inode");
    if (ignored(i)) return;
    xattrs.store(ino, NAME, value);
    long bits = incompatFor(t);
    if (bits != 0) ft.engine().requireIncompat(bits);
    long flags = withValue(i.flags(), t);
    InodeItem now = ft.inode(ino);
    ft.putInode(ino, now.withFlags(flags).withTimes(now.atime(), FileTree.now(), now.mtime()));
  }

  /**
   * removexattr (and an empty value): the flags go back to neither COMPRESS nor NOCOMPRESS. False
   * when there was no property.
   */
  boolean remove(long ino) throws IOException {
    InodeItem i = ft.inode(ino);
    if (ignored(i)) return true;
    if (!xattrs.drop(ino, NAME)) return false;
    InodeItem now = ft.inode(ino);
    long cleared = now.flags() & ~(InodeItem.FLAG_COMPRESS | InodeItem.FLAG_NOCOMPRESS);
    ft.putInode(ino, now.withFlags(cleared));
    return true;
  }

  /** Records the algorithm chattr +c chose (no rule applied: the flags are the caller's). */
  void storeAlgorithm(long ino, CompressionType t) throws IOException {
    xattrs.store(ino, NAME, nameOf(t).getBytes(StandardCharsets.US_ASCII));
    long bits = incompatFor(t);
    if (bits != 0) ft.engine().requireIncompat(bits);
  }

  /** Drops the property without touching the flags (chattr's other outcomes). */
  void drop(long ino) throws IOException {
    xattrs.drop(ino, NAME);
  }

  private static String nameOf(CompressionType t) {
    return ALGORITHMS[Arrays.asList(TYPES).indexOf(t)];
  }

  /**
   * Gives new inode {@code ino} what its directory passes on: the compression and nocow flags
   * (btrfs_inherit_iflags; a regular file under a nocow directory is nodatasum too), then the
   * directory's algorithm as its own property, when it can take one.
   */
  void inherit(long dir, long ino) throws IOException {
    InodeItem parent = ft.inode(dir);
    InodeItem child = ft.inode(ino);
    long pf = parent.flags();
    long f = child.flags();
    if ((pf & InodeItem.FLAG_NOCOMPRESS) != 0)
      f = (f & ~InodeItem.FLAG_COMPRESS) | InodeItem.FLAG_NOCOMPRESS;
    else if ((pf & InodeItem.FLAG_COMPRESS) != 0)
      f = (f & ~InodeItem.FLAG_NOCOMPRESS) | InodeItem.FLAG_COMPRESS;
    if ((pf & InodeItem.FLAG_NODATACOW) != 0) {
      f |= InodeItem.FLAG_NODATACOW;
      if (FileType.isReg(child.mode())) f |= InodeItem.FLAG_NODATASUM;
    }
    if (f != child.flags()) ft.putInode(ino, child = child.withFlags(f));
    byte[] value = xattrs.get(dir, NAME);
    CompressionType t = value == null ? null : parse(value);
    // What passes on is the algorithm's name, as the kernel keeps only the type in memory.
    if (t == null || t == CompressionType.NONE || ignored(child) || !canCompress(child)) return;
    xattrs.store(ino, NAME, nameOf(t).getBytes(StandardCharsets.US_ASCII));
    ft.putInode(ino, child.withFlags(withValue(child.flags(), t)));
  }

  /**
   * The algorithm new data of inode {@code i} is compressed with, or NONE: nodatacow and nodatasum
   * data never is, NOCOMPRESS wins over the mount, and the property or +c compress on a mount that
   * does not (+c alone with the kernel's default, zlib).
   */
  CompressionType algorithmFor(long ino, InodeItem i, CompressionType mount) throws IOException {
    if (!canCompress(i) || (i.flags() & InodeItem.FLAG_NOCOMPRESS) != 0)
      return CompressionType.NONE;
    if ((i.flags() & InodeItem.FLAG_COMPRESS) == 0) return mount;
    byte[] value = xattrs.get(ino, NAME);
    CompressionType t = value == null ? null : parse(value);
    if (t != null && t != CompressionType.NONE) return t;
    return mount != CompressionType.NONE ? mount : CompressionType.ZLIB;
  }

  private static long withValue(long flags, CompressionType t) {
    if (t == CompressionType.NONE)
      return (flags & ~InodeItem.FLAG_COMPRESS) | InodeItem.FLAG_NOCOMPRESS;
    return (flags & ~InodeItem.FLAG_NOCOMPRESS) | InodeItem.FLAG_COMPRESS;
  }

  /** btrfs_inode_can_compress. */
  private static boolean canCompress(InodeItem i) {
    return (i.flags() & (InodeItem.FLAG_NODATACOW | InodeItem.FLAG_NODATASUM)) == 0;
  }

  /** Compression means nothing to symlinks, devices, fifos and sockets: not even stored. */
  private static boolean ignored(InodeItem i) {
    return !FileType.isReg(i.mode()) && !FileType.isDir(i.mode());
  }
}
