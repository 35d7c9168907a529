package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.device.DeviceBusyException;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.device.FileDevice;
import org.jbtrfs.replace.DeviceAdd;

/**
 * `device add` on the live mount: jbtrfs's own ioctl ADD, _IOW('j', 8, 4096 bytes): u64 flags (1:
 * overwrite a device holding a filesystem, -f), then the device's path, NUL-terminated (private, as
 * the replace's: the kernel's BTRFS_IOC_ADD_DEV is not sent to a FUSE mount by btrfs-progs, which
 * checks for a btrfs mount first). Root only. The device is claimed as the mount's own devices are,
 * until the mount lets go of them, and made a member in a commit of its own. Errors: EROFS on a
 * read-only mount, EBUSY for a device in use (a mount, another jbtrfs process, this filesystem) or
 * while a replace or scrub runs, EEXIST for one holding a btrfs filesystem without the flag, EINVAL
 * for one of 1 MiB or less, ENOENT for a path that cannot be opened.
 */
final class DeviceAddIoctl {
  private static final Logger LOG = Logger.getLogger(DeviceAddIoctl.class.getName());

  static final int ADD = 0x50006a08;
  private static final int SIZE = 4096;

  private final FuseFs f;

  DeviceAddIoctl(FuseFs f) {
    this.f = f;
  }

  int ioctl(FuseRequest req, FuseReply out, int inSize) {
    if (inSize < SIZE) return -Errno.EINVAL;
    if (req.uid() != 0) return -Errno.EPERM;
    if (f.rw == null) return -Errno.EROFS;
    boolean force = (req.u64(FuseProtocol.IOCTL_IN_DATA) & 1) != 0;
    byte[] name = req.terminated(FuseProtocol.IOCTL_IN_DATA + 8, SIZE - 8);
    if (name == null || name.length == 0) return -Errno.EINVAL;
    Path path = Path.of(new String(name, StandardCharsets.UTF_8));
    if (f.replace.running() || f.scrubbing() || f.balance.running()) {
      LOG.warning("device add of " + path + " refused: a replace, scrub or balance is running");
      return -Errno.EBUSY;
    }
    DeviceClaims claim;
    try {
      claim = DeviceClaims.claim(List.of(path), false);
    } catch (DeviceBusyException busy) {
      LOG.warning("device add refused: " + busy.getMessage());
      return -Errno.EBUSY;
    } catch (IOException e) {
      LOG.warning("device add refused: " + e.getMessage());
      return -Errno.ENOENT;
    }
    Device dev;
    try {
      dev = FileDevice.open(path, true);
    } catch (IOException e) {
      claim.close();
      LOG.warning("device add refused: " + e.getMessage());
      return -Errno.ENOENT;
    }
    int r;
    try {
      DeviceAdd.check(f.fs, dev, force);
      r =
          f.changing(
              "ioctl",
              req.nodeid(),
              1,
              false,
              () -> {
                f.rw.committedAlone(engine -> DeviceAdd.add(engine, dev));
                return 0;
              });
    } catch (DeviceAdd.Refused e) {
      LOG.warning("device add refused: " + e.getMessage());
      r = e.tooSmall ? -Errno.EINVAL : -Errno.EEXIST;
    } catch (IOException e) {
      LOG.warning("device add of " + path + ": " + e.getMessage());
      r = -Errno.EIO;
    }
    if (r != 0) {
      closeQuietly(dev);
      claim.close();
      return r;
    }
    f.replace.hold(claim);
    out.ioctlDone();
    return 0;
  }

  private static void closeQuietly(Device d) {
    try {
      d.close();
    } catch (IOException ignored) {
      // refused before it was used
    }
  }
}
