package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's filesystem uid and gid from /proc/PID/status. Once idmapped mounts are allowed, the
 * kernel puts the caller's ids only into requests that create an inode (mapped through the mount's
 * idmap); the others (ioctls, for their root and owner checks) come without, and the ids are the
 * caller's own, unmapped.
 */
final class ProcCredentials {
  private ProcCredentials() {}

  /** The fsuid of process {@code pid}, or INVALID_UIDGID when it is gone. */
  static int fsuid(int pid) {
    return field(pid, "Uid:");
  }

  /** The fsgid of process {@code pid}, or INVALID_UIDGID when it is gone. */
  static int fsgid(int pid) {
    return field(pid, "Gid:");
  }

  /** The fourth id of a status line: real, effective, saved, filesystem. */
  private static int field(int pid, String line) {
    if (pid <= 0) return FuseProtocol.INVALID_UIDGID;
    try {
      for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (!l.startsWith(line)) continue;
        String[] ids = l.substring(line.length()).trim().split("\\s+");
        return ids.length < 4 ? FuseProtocol.INVALID_UIDGID : Integer.parseUnsignedInt(ids[3]);
      }
    } catch (IOException | RuntimeException e) {
      // the process is gone (or not ours to read): no ids
    }
    return FuseProtocol.INVALID_UIDGID;
  }
}
