package org.jbtrfs.fuse;

import org.jbtrfs.txn.FreeSpaceTrim;
import org.jbtrfs.txn.UnallocatedTrim;

/**
 * FITRIM (fstrim(8)), as the kernel's btrfs answers it: root only; the free space of the block
 * groups in the range (logical addresses; RAID5/6 groups excepted, as in the kernel) and the device
 * space no chunk uses are discarded; the reply's length is the bytes trimmed, summed over devices.
 * See {@link FreeSpaceTrim} and {@link UnallocatedTrim}.
 */
final class TrimIoctl {
  /** _IOWR('X', 121, struct fstrim_range { start, len, minlen }). */
  static final int FITRIM = 0xc0185879;

  private static final int RANGE_SIZE = 24;

  private final FuseFs f;

  TrimIoctl(FuseFs f) {
    this.f = f;
  }

  int ioctl(FuseRequest req, FuseReply out, int inSize, int outSize) {
    if (inSize < RANGE_SIZE || outSize < RANGE_SIZE) return -Errno.EINVAL;
    if (req.uid() != 0) return -Errno.EPERM;
    if (f.rw == null) return -Errno.EROFS;
    long start = req.u64(FuseProtocol.IOCTL_IN_DATA);
    long len = req.u64(FuseProtocol.IOCTL_IN_DATA + 8);
    long minLen = req.u64(FuseProtocol.IOCTL_IN_DATA + 16);
    if (Long.compareUnsigned(len, f.fs.sectorSize()) < 0) return -Errno.EINVAL;
    // Both are unsigned: fstrim asks for everything with a length of 2^64 - 1.
    long end =
        start < 0 || Long.compareUnsigned(len, Long.MAX_VALUE - start) > 0
            ? Long.MAX_VALUE
            : start + len;
    return f.changing(
        "ioctl",
        req.nodeid(),
        0,
        false,
        () -> {
          // As the kernel: the free space of the block groups in the range (logical), then the
          // space no chunk uses on every device.
          long trimmed =
              FreeSpaceTrim.trim(f.rw.engine(), start, end, minLen)
                  + UnallocatedTrim.trim(f.rw.engine(), start, end, minLen);
          out.ioctlDone().u64(start).u64(trimmed).u64(minLen);
          return 0;
        });
  }
}
