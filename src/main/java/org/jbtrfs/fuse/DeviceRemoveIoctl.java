package org.jbtrfs.fuse;

import java.nio.charset.StandardCharsets;
import org.jbtrfs.device.Device;
import org.jbtrfs.relocation.DeviceRemoval;
import org.jbtrfs.relocation.DeviceSelector;

/**
 * `device remove` on the live mount: jbtrfs's own ioctl _IOW('j', 10, 4096 bytes): the device (a
 * devid, "missing", or its path), NUL-terminated. It returns when the device is out, as `btrfs
 * device remove` does; its groups move in balance steps, as BalanceIoctl's. Root only. Errors:
 * EROFS on a read-only mount, EBUSY while a scrub, replace or balance runs, EINVAL for a device
 * that is not a member or whose removal would leave too few devices for a profile in use, ENOSPC
 * when the others cannot take its data.
 */
final class DeviceRemoveIoctl {
  static final int REMOVE = 0x50006a0a;
  private static final int SIZE = 4096;

  private final FuseFs f;

  DeviceRemoveIoctl(FuseFs f) {
    this.f = f;
  }

  int ioctl(FuseRequest req, FuseReply out, int inSize) {
    if (inSize < SIZE) return -Errno.EINVAL;
    if (req.uid() != 0) return -Errno.EPERM;
    if (f.rw == null) return -Errno.EROFS;
    byte[] name = req.terminated(FuseProtocol.IOCTL_IN_DATA, SIZE);
    if (name == null || name.length == 0) return -Errno.EINVAL;
    String arg = new String(name, StandardCharsets.UTF_8);
    long devid;
    try {
      devid = DeviceSelector.devid(f.fs, arg);
    } catch (IllegalArgumentException none) {
      // As the kernel: no such member (or none missing) is ENOENT, which btrfs-progs names.
      return -Errno.ENOENT;
    } catch (java.io.IOException unreadable) {
      return Errno.of(unreadable, "device remove", arg);
    }
    return BalanceIoctl.asBalance(
        f,
        "device remove",
        steps -> {
          Device gone = DeviceRemoval.remove(steps, devid, f.balance);
          if (gone != null) gone.close();
          out.ioctlDone();
          return 0;
        },
        req.nodeid());
  }
}
