package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Whether the process behind a request belongs to a group: its fsgid (in the request) or one of its
 * supplementary groups (from /proc/PID/status, which FUSE requests do not carry).
 */
final class CallerGroups {
  private CallerGroups() {}

  /**
   * The kernel's in_group_or_capable for set-gid decisions. A request does not carry its caller's
   * capabilities; root is taken to hold CAP_FSETID, as it does unless it dropped it.
   */
  static boolean inGroupOrRoot(FuseRequest req, long gid) {
    return req.uid() == 0 || contains(req, gid);
  }

  static boolean contains(FuseRequest req, long gid) {
    if (Integer.toUnsignedLong(req.gid()) == gid) return true;
    if (req.pid() <= 0) return false;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + req.pid() + "/status"))) {
        if (!line.startsWith("Groups:")) continue;
        for (String g : line.substring(7).trim().split("\\s+")) {
          if (!g.isEmpty() && Long.parseLong(g) == gid) return true;
        }
        return false;
      }
    } catch (IOException | RuntimeException e) {
      return false; // the process is gone: no group to grant
    }
    return false;
  }
}
