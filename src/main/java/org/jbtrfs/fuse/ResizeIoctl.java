package org.jbtrfs.fuse;

import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.relocation.DeviceShrink;
import org.jbtrfs.txn.DeviceResize;

/**
 * BTRFS_IOC_RESIZE, as the kernel's btrfs answers it (struct btrfs_ioctl_vol_args: s64 fd, then the
 * "[devid:](max|[+-]N[kmg])" string): root only; ENODEV for a devid the filesystem lacks or a
 * missing device, EFBIG past the device's end, EINVAL for a bad argument; growing takes effect in a
 * commit of its own. Shrinking would move chunks (relocation), which jbtrfs does not do: it is
 * refused by name (EOPNOTSUPP).
 */
final class ResizeIoctl {
  private static final Logger LOG = Logger.getLogger(ResizeIoctl.class.getName());

  /** _IOW(0x94, 3, struct btrfs_ioctl_vol_args), 4096 bytes. */
  static final int RESIZE = 0x50009403;

  private static final int ARGS = 4096;

  private final FuseFs f;

  ResizeIoctl(FuseFs f) {
    this.f = f;
  }

  int ioctl(FuseRequest req, FuseReply out, int inSize) {
    if (inSize < ARGS) return -Errno.EINVAL;
    if (req.uid() != 0) return -Errno.EPERM;
    if (f.rw == null) return -Errno.EROFS;
    byte[] raw = req.bytes(FuseProtocol.IOCTL_IN_DATA + 8, ARGS - 8);
    int len = 0;
    while (len < raw.length && raw[len] != 0) len++;
    DeviceResize spec;
    try {
      spec = DeviceResize.parse(new String(raw, 0, len, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      LOG.warning("resize: " + e.getMessage());
      return -Errno.EINVAL;
    }
    long[] sizes = new long[2]; // the new size, the current one
    int r =
        f.changing(
            "ioctl",
            req.nodeid(),
            1,
            false,
            () -> {
              Device dev = f.fs.devices().get(spec.devid());
              DevItem item =
                  f.rw.engine().devItems().stream()
                      .filter(d -> d.devid() == spec.devid())
                      .findFirst()
                      .orElse(null);
              if (dev == null || item == null) return -Errno.ENODEV;
              long size;
              try {
                size = spec.newSize(item.totalBytes(), dev.size(), f.fs.sectorSize());
              } catch (IllegalArgumentException e) {
                LOG.warning("resize: " + e.getMessage());
                return -Errno.EINVAL;
              }
              if (size > dev.size()) return -Errno.EFBIG;
              sizes[0] = size;
              sizes[1] = item.totalBytes();
              if (size < item.totalBytes()) return 0; // shrunk below, in steps of its own
              f.rw.committedAlone(
                  engine -> {
                    engine.growDevice(spec.devid(), size);
                    return null;
                  });
              return 0;
            });
    if (r != 0) return r;
    if (sizes[0] < sizes[1]) {
      r = shrink(req, spec.devid(), sizes[0]);
      if (r != 0) return r;
    }
    LOG.info(
        "resize of devid " + spec.devid() + " from " + sizes[1] + " to " + sizes[0] + " bytes");
    out.ioctlDone();
    return 0;
  }

  /** A shrink moves the chunks past the new end first: a balance's steps, exclusive as one. */
  private int shrink(FuseRequest req, long devid, long size) {
    return BalanceIoctl.asBalance(
        f,
        "resize",
        steps -> {
          DeviceShrink.shrink(steps, devid, size, f.balance);
          return 0;
        },
        req.nodeid());
  }
}
