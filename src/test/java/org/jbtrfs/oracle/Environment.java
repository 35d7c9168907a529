package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Checks the host can run kernel-vs-jbtrfs comparisons at all. Missing prerequisites abort (skip)
 * the test with a printed reason rather than fail, since they say nothing about jbtrfs.
 */
final class Environment {
  private static final List<String> TOOLS =
      List.of(
          "mkfs.btrfs",
          "btrfs",
          "losetup",
          "mount",
          "umount",
          "fusermount",
          "getfattr",
          "setfattr",
          "stat",
          "find",
          "xargs",
          "sha256sum",
          "python3",
          "truncate",
          "fallocate");

  private Environment() {}

  static void requireOracleHost() {
    List<String> missing = new ArrayList<>();
    try {
      if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
        missing.add("not running as root (loop devices and mounts need it)");
      }
    } catch (IOException | UnsupportedOperationException e) {
      missing.add("cannot determine uid: " + e);
    }
    if (!Files.exists(Path.of("/dev/fuse"))) {
      missing.add("/dev/fuse does not exist");
    }
    if (!Files.exists(Path.of("/dev/loop-control"))) {
      missing.add("/dev/loop-control does not exist (no loop device support)");
    }
    for (String tool : TOOLS) {
      if (Cmd.run(List.of("bash", "-c", "command -v \"$1\"", "_", tool)).exitCode() != 0) {
        missing.add("tool not found: " + tool);
      }
    }
    if (!btrfsInKernel()) {
      missing.add("btrfs is not in /proc/filesystems and modprobe btrfs failed");
    }
    if (!missing.isEmpty()) {
      String reason = "oracle prerequisites missing: " + String.join("; ", missing);
      System.err.println(reason);
      Assumptions.abort(reason);
    }
  }

  private static boolean btrfsInKernel() {
    if (listsBtrfs()) {
      return true;
    }
    Cmd.run(List.of("modprobe", "btrfs"));
    return listsBtrfs();
  }

  private static boolean listsBtrfs() {
    try {
      return Files.readAllLines(Path.of("/proc/filesystems")).stream()
          .anyMatch(l -> l.trim().equals("btrfs"));
    } catch (IOException e) {
      return false;
    }
  }
}
