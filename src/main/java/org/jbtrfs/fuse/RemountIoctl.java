package org.jbtrfs.fuse;

/**
 * jbtrfs's own ioctl for {@code mount -o remount,ro|rw}, sent by the mount helper on the
 * mountpoint: the kernel flips the mount's read-only flag without telling a FUSE server, but the
 * server must know, to commit what changed and then leave the devices alone (no atime updates, no
 * background drops) until a remount,rw. Root only; a mount started read-only has no writer to turn
 * back on and answers EROFS to remount,rw. The argument is a u32: 1 for ro, 0 for rw.
 */
final class RemountIoctl {
  /** _IOW('j', 1, __u32): a private number, outside every magic the kernel forwards to btrfs. */
  static final int REMOUNT = 0x40046a01;

  private final FuseFs f;

  RemountIoctl(FuseFs f) {
    this.f = f;
  }

  int ioctl(FuseRequest req, FuseReply out, int inSize) {
    if (inSize < 4) return -Errno.EINVAL;
    if (req.uid() != 0) return -Errno.EPERM;
    boolean readOnly = req.u32(FuseProtocol.IOCTL_IN_DATA) != 0;
    if (f.rw == null) {
      if (!readOnly) return -Errno.EROFS;
      out.ioctlDone();
      return 0;
    }
    try {
      if (readOnly) f.rw.freeze();
      else f.rw.thaw();
    } catch (Throwable t) {
      return Errno.of(t, "remount", "node " + req.nodeid());
    }
    out.ioctlDone();
    return 0;
  }
}
