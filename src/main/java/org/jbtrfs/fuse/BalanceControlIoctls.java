package org.jbtrfs.fuse;

import org.jbtrfs.relocation.Balance;

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
  static final int RESUME = 0x00006a0d;
  static final int PAUSE = 0x00006a0e;
  private static final int SIZE = 4096;

  private final FuseFs f;

  BalanceControlIoctls(FuseFs f) {
    this.f = f;
  }

  static boolean handles(int cmd) {
    return cmd == STATUS || cmd == CANCEL || cmd == RESUME || cmd == PAUSE;
  }

  int ioctl(FuseRequest req, FuseReply out, int cmd, int outSize) {
    if (cmd == PAUSE) {
      if (req.uid() != 0) return -Errno.EPERM;
      try {
        if (!f.balance.pauseAndWait()) return -Errno.ENOTCONN;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return -Errno.EINTR;
      }
      Balance.Request[] left = new Balance.Request[1];
      int r =
          f.changing(
              "balance pause",
              req.nodeid(),
              0,
              false,
              () -> {
                left[0] = Balance.recorded(f.rw.engine());
                return 0;
              });
      if (r != 0) return r;
      f.balance.setPaused(left[0]);
      out.ioctlDone();
      return 0;
    }
    if (cmd == RESUME) {
      if (req.uid() != 0) return -Errno.EPERM;
      Balance.Request paused = f.balance.pausedRequest();
      if (paused == null) return f.balance.running() ? -Errno.EINPROGRESS : -Errno.ENOTCONN;
      int r =
          BalanceIoctl.asBalance(
              f,
              "balance",
              steps -> {
                Balance.resume(steps, paused, f.balance);
                return 0;
              },
              req.nodeid());
      if (r == 0) out.ioctlDone();
      return r;
    }
    if (cmd == CANCEL) {
      if (req.uid() != 0) return -Errno.EPERM;
      if (f.balance.pausedRequest() != null) return forgetPaused(req, out);
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
        .u64(s.running() ? 1 : s.paused() ? 2 : 0)
        .u64(s.done())
        .u64(s.total())
        .u64(s.bytes())
        .u64(s.millis())
        .cString(s.what(), SIZE - 40);
    return 0;
  }

  /** Cancels a paused balance: its item goes in a commit of its own. */
  private int forgetPaused(FuseRequest req, FuseReply out) {
    int r =
        f.changing(
            "balance cancel",
            req.nodeid(),
            1,
            true,
            () -> {
              f.rw.committedAlone(Balance::forgetRecorded);
              f.balance.setPaused(null);
              return 0;
            });
    if (r == 0) out.ioctlDone();
    return r;
  }
}
