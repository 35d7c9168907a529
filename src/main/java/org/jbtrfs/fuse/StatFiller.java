package org.jbtrfs.fuse;

import org.jbtrfs.format.Align;
import org.jbtrfs.format.DeviceNumbers;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import ru.serce.jnrfuse.struct.FileStat;

/** Copies an inode item into a FUSE stat structure the way the kernel's btrfs_getattr does. */
final class StatFiller {
  private StatFiller() {}

  /** {@code buffered} is data written but not yet in extents, which the kernel counts too. */
  static void fill(FileStat st, long ino, InodeItem inode, int blockSize, long buffered) {
    st.st_ino.set(ino);
    st.st_mode.set(inode.mode());
    st.st_nlink.set(inode.nlink());
    st.st_uid.set(inode.uid());
    st.st_gid.set(inode.gid());
    st.st_size.set(inode.size());
    st.st_rdev.set(DeviceNumbers.toUser(inode.rdev()));
    st.st_blksize.set(blockSize);
    // Like btrfs_getattr: bytes in use rounded up to the block size, in 512-byte units.
    st.st_blocks.set((Align.up(inode.nbytes(), blockSize) + Align.up(buffered, blockSize)) / 512);
    time(st.st_atim, inode.atime());
    time(st.st_mtim, inode.mtime());
    time(st.st_ctim, inode.ctime());
  }

  private static void time(ru.serce.jnrfuse.struct.Timespec dst, Timespec src) {
    dst.tv_sec.set(src.sec());
    dst.tv_nsec.set(src.nsec());
  }

  /** glibc dev_t from mknod to what btrfs stores. */
  static long encodeRdev(long dev) {
    return DeviceNumbers.toDisk(dev);
  }
}
