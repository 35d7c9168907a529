package org.jbtrfs.fuse;

import org.jbtrfs.scrub.ScrubSummary;

/**
 * jbtrfs's own ioctls for a scrub of the live mount ({@link LiveScrub}), sent by `jbtrfs scrub` on
 * the mountpoint. Private numbers (magic 'j'), since the kernel's BTRFS_IOC_SCRUB blocks for the
 * whole scrub of one device, which would hold a FUSE request, and its thread, for as long. Root
 * only, as the kernel's scrub ioctls are.
 *
 * <ul>
 *   <li>START, _IOW('j', 2, {u64 flags (1 read-only, 2 resume), u64 bytes/s limit (0 none), u64
 *       reserved}): EINPROGRESS while a scrub runs, EROFS for a repairing scrub of a read-only
 *       mount, ENOENT to resume with nothing cancelled.
 *   <li>STATUS, _IOR('j', 3, 4096 bytes): see {@link #status}.
 *   <li>CANCEL, _IO('j', 4): ENOTCONN when no scrub runs; returns once the scrub has stopped.
 * </ul>
 */
final class ScrubIoctls {
  static final int START = 0x40186a02;
  static final int STATUS = 0x90006a03;
  static final int CANCEL = 0x00006a04;

  static final int STATUS_SIZE = 4096;

  /** Where the failure message and the damaged files' names start in the status reply. */
  static final int FAILURE_AT = 256;

  static final int FAILURE_SIZE = 512;
  static final int PATHS_AT = FAILURE_AT + FAILURE_SIZE;

  private static final long READ_ONLY = 1;
  private static final long RESUME = 2;

  private final FuseFs f;

  ScrubIoctls(FuseFs f) {
    this.f = f;
  }

  static boolean handles(int cmd) {
    return cmd == START || cmd == STATUS || cmd == CANCEL;
  }

  int ioctl(FuseRequest req, FuseReply out, int cmd, int inSize, int outSize) {
    if (req.uid() != 0) return -Errno.EPERM;
    switch (cmd) {
      case START -> {
        if (inSize < 24) return -Errno.EINVAL;
        long flags = req.u64(FuseProtocol.IOCTL_IN_DATA);
        long limit = req.u64(FuseProtocol.IOCTL_IN_DATA + 8);
        int r = f.scrub.start((flags & READ_ONLY) != 0, Math.max(0, limit), (flags & RESUME) != 0);
        if (r != 0) return r;
        out.ioctlDone();
        return 0;
      }
      case CANCEL -> {
        int r = f.scrub.cancel();
        if (r != 0) return r;
        out.ioctlDone();
        return 0;
      }
      default -> {
        if (outSize < STATUS_SIZE) return -Errno.EINVAL;
        status(out, f.scrub.status());
        return 0;
      }
    }
  }

  /**
   * u64s: state (LiveScrub.State ordinal), read-only, started (ms since the epoch), running time
   * (ms), limit (bytes/s), progress done and total (logical bytes of chunk space), tree extents,
   * tree bytes, data extents, data bytes, read, super, csum and verify errors, corrected,
   * uncorrectable, parity sectors rewritten, damaged file count; then at FAILURE_AT the failure
   * message and at PATHS_AT the damaged files' paths, NUL-terminated, as many as fit.
   */
  private static void status(FuseReply out, LiveScrub.Status s) {
    ScrubSummary m = s.summary();
    out.ioctlDone()
        .u64(s.state().ordinal())
        .u64(s.readOnly() ? 1 : 0)
        .u64(s.startedMillis())
        .u64(s.runMillis())
        .u64(s.limit())
        .u64(s.progress()[0])
        .u64(s.progress()[1]);
    long[] counts =
        m == null
            ? new long[12]
            : new long[] {
              m.treeExtents(),
              m.treeBytes(),
              m.dataExtents(),
              m.dataBytes(),
              m.readErrors(),
              m.superErrors(),
              m.csumErrors(),
              m.verifyErrors(),
              m.corrected(),
              m.uncorrectable(),
              m.parityRewritten(),
              m.damagedPaths().size()
            };
    for (long c : counts) out.u64(c);
    out.zeros(FAILURE_AT - (7 + counts.length) * 8);
    out.cString(s.failure() == null ? "" : s.failure(), FAILURE_SIZE);
    int room = STATUS_SIZE - PATHS_AT;
    StringBuilder paths = new StringBuilder();
    for (String p : LiveScrub.damaged(s)) {
      if (paths.length() + p.length() + 1 >= room) break;
      paths.append(p).append('\0');
    }
    out.cString(paths.toString(), room);
  }
}
