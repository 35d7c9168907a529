package org.jbtrfs.fuse;

import org.jbtrfs.format.Align;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import ru.serce.jnrfuse.struct.FileStat;

/** Copies an inode item into a FUSE stat structure the way the kernel's btrfs_getattr does. */
final class StatFiller {
  private StatFiller() {}

  static void fill(FileStat st, long ino, InodeItem inode, int blockSize) {
    st.st_ino.set(ino);
    st.st_mode.set(inode.mode());
    st.st_nlink.set(inode.nlink());
    st.st_uid.set(inode.uid());
    st.st_gid.set(inode.gid());
    st.st_size.set(inode.size());
    st.st_rdev.set(decodeRdev(inode.rdev()));
    st.st_blksize.set(blockSize);
    // Like btrfs_getattr: bytes in use rounded up to the block size, in 512-byte units.
    st.st_blocks.set(Align.up(inode.nbytes(), blockSize) / 512);
    time(st.st_atim, inode.atime());
    time(st.st_mtim, inode.mtime());
    time(st.st_ctim, inode.ctime());
  }

  private static void time(ru.serce.jnrfuse.struct.Timespec dst, Timespec src) {
    dst.tv_sec.set(src.sec());
    dst.tv_nsec.set(src.nsec());
  }

  /**
   * btrfs stores rdev in the kernel's internal encoding (major << 20 | minor); stat returns the
   * glibc encoding, which splits major and minor across high and low bits.
   */
  static long decodeRdev(long rdev) {
    long major = (rdev >>> 20) & 0xfff;
    long minor = rdev & 0xfffff;
    return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffL) << 12) | ((major & ~0xfffL) << 32);
  }
}
