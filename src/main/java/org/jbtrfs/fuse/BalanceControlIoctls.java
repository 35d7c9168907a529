package org.jbtrfs.fuse;

/**
 * `balance status` and `balance cancel` on the live mount: jbtrfs's own ioctls STATUS, _IOR('j',
 * 11, 4096 bytes) (out: u64 running, groups done, groups to do, bytes moved, run time in ms, then
 * what runs, NUL-terminated: "balance", "device remove" or "resize"), and CANCEL, _IO('j', 12),
 * which returns once the running balance has stopped after its current step, or ENOTCONN when none
 * runs (the kernel's answer).
 */
final class BalanceControlIoctls {
  static final int STATUS = 0x90006a0b;
  static final int CANCEL = 0x00006a0c;
  private static final int SIZE = 4096;

  private final FuseFs f;

  BalanceControlIoctls(FuseFs f) {
    this.f = f;
  }

  static boolean handles(int cmd) {
    return cmd == STATUS || cmd == CANCEL;
  }

  int ioctl(FuseRequest req, FuseReply out, int cmd, int outSize) {
    if (cmd == CANCEL) {
      if (req.uid() != 0) return -Errno.EPERM;
      try {
        if (!f.balance.cancelAndWait()) return -Errno.ENOTCONN;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -Errno.EINTR;
      }
      out.ioctlDone();
      return 0;
    }
    if (outSize < SIZE) return -Errno.EINVAL;
    LiveBalance.Status s = f.balance.status();
    out.ioctlDone()
        .u64(s.running() ? 1 : 0)
        .u64(s.done())
        .u64(s.total())
        .u64(s.bytes())
        .u64(s.millis())
        .cString(s.what(), SIZE - 40);
    return 0;
  }
}
