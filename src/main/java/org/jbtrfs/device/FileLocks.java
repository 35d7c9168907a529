package org.jbtrfs.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jbtrfs.format.DeviceNumbers;

/** Who holds an flock, from /proc/locks. */
final class FileLocks {
  private FileLocks() {}

  /**
   * The pid holding a FLOCK on {@code path}, or null. /proc/locks names a lock's file by the device
   * (hex major:minor) and inode it lives on: for a block device, its node's inode on /dev.
   */
  static Long holder(Path path) {
    try {
      Map<String, Object> a = Files.readAttributes(path, "unix:dev,ino");
      long dev = (Long) a.get("dev");
      long ino = (Long) a.get("ino");
      for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
        // "1: FLOCK  ADVISORY  WRITE 1234 fd:01:5678 0 EOF"
        String[] f = line.trim().split("\\s+");
        if (f.length < 6 || !f[1].equals("FLOCK")) continue;
        String[] where = f[5].split(":");
        if (where.length != 3) continue;
        long lockDev =
            DeviceNumbers.make(Long.parseLong(where[0], 16), Long.parseLong(where[1], 16));
        if (lockDev == dev && Long.parseLong(where[2]) == ino) return Long.parseLong(f[4]);
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
