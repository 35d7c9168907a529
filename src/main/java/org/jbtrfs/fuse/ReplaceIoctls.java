package org.jbtrfs.fuse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * jbtrfs's own ioctls for a device replace of the live mount ({@link LiveReplace}), sent by `jbtrfs
 * replace` on the mountpoint (private numbers, magic 'j': the kernel's BTRFS_IOC_DEV_REPLACE names
 * the target by a path the kernel opens, which a FUSE server cannot be handed). Root only, as the
 * kernel's.
 *
 * <ul>
 *   <li>START, _IOW('j', 5, 4096 bytes): u64 source devid, u64 flags (1: spare the source, -r; 2:
 *       overwrite a target holding a filesystem, -f), then the target's path, NUL-terminated.
 *   <li>STATUS, _IOR('j', 6, 4096 bytes): u64 state (LiveReplace.State ordinal), source devid,
 *       bytes copied, bytes to copy, started and stopped (ms since the epoch), uncorrectable read
 *       errors; at 256 the target's path, at 1280 the last failure or refusal, NUL-terminated.
 *   <li>CANCEL, _IO('j', 7): ENOTCONN when none runs; returns once it has stopped.
 * </ul>
 */
final class ReplaceIoctls {
  static final int START = 0x50006a05;
  static final int STATUS = 0x90006a06;
  static final int CANCEL = 0x00006a07;
  static final int SIZE = 4096;
  static final int TARGET_AT = 256;
  static final int FAILURE_AT = 1280;

  private final FuseFs f;

  ReplaceIoctls(FuseFs f) {
    this.f = f;
  }

  static boolean handles(int cmd) {
    return cmd == START || cmd == STATUS || cmd == CANCEL;
  }

  int ioctl(FuseRequest req, FuseReply out, int cmd, int inSize, int outSize) {
    if (req.uid() != 0) return -Errno.EPERM;
    switch (cmd) {
      case START -> {
        if (inSize < SIZE) return -Errno.EINVAL;
        long source = req.u64(FuseProtocol.IOCTL_IN_DATA);
        long flags = req.u64(FuseProtocol.IOCTL_IN_DATA + 8);
        byte[] name = req.terminated(FuseProtocol.IOCTL_IN_DATA + 16, SIZE - 16);
        if (name == null || name.length == 0) return -Errno.EINVAL;
        Path target = Path.of(new String(name, StandardCharsets.UTF_8));
        int r = f.replace.start(source, target, (flags & 1) != 0, (flags & 2) != 0);
        if (r != 0) return r;
        out.ioctlDone();
        return 0;
      }
      case CANCEL -> {
        int r = f.replace.cancel();
        if (r != 0) return r;
        out.ioctlDone();
        return 0;
      }
      default -> {
        if (outSize < SIZE) return -Errno.EINVAL;
        LiveReplace.Status s = f.replace.status();
        String failure = s.failure() != null ? s.failure() : "";
        out.ioctlDone()
            .u64(s.state().ordinal())
            .u64(s.source())
            .u64(s.done())
            .u64(s.total())
            .u64(s.startedMillis())
            .u64(s.stoppedMillis())
            .u64(s.readErrors())
            .zeros(TARGET_AT - 7 * 8);
        out.cString(s.target(), FAILURE_AT - TARGET_AT);
        out.cString(failure, SIZE - FAILURE_AT);
        return 0;
      }
    }
  }
}
