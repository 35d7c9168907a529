package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Prerequisites of the write acceptance tests: root (loop devices, mounts), btrfs-progs, the kernel
 * module and the coreutils/attr tools used to build and read trees. Unlike {@link Environment} it
 * does not need FUSE, which these tests never use. Anything missing aborts (skips) the test with a
 * printed reason, since it says nothing about jbtrfs.
 */
final class WriteHost {
  private static final List<String> TOOLS =
      List.of(
          "mkfs.btrfs",
          "btrfs",
          "losetup",
          "mount",
          "umount",
          "cp",
          "getfattr",
          "setfattr",
          "stat",
          "find",
          "xargs",
          "sha256sum",
          "truncate",
          "sync");

  private WriteHost() {}

  static void require() {
    List<String> missing = new ArrayList<>();
    try {
      if (!Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid"))) {
        missing.add("not running as root (loop devices and mounts need it)");
      }
    } catch (IOException | UnsupportedOperationException e) {
      missing.add("cannot determine uid: " + e);
    }
    if (!Files.exists(Path.of("/dev/loop-control")))
      missing.add("/dev/loop-control does not exist");
    for (String tool : TOOLS) {
      if (Cmd.run(List.of("bash", "-c", "command -v \"$1\"", "_", tool)).exitCode() != 0) {
        missing.add("tool not found: " + tool);
      }
    }
    if (missing.isEmpty()
        && Cmd.run(List.of("bash", "-c", "grep -qw btrfs /proc/filesystems || modprobe btrfs"))
                .exitCode()
            != 0) {
      missing.add("btrfs is not in the kernel and modprobe btrfs failed");
    }
    if (!missing.isEmpty()) {
      String reason = "write oracle prerequisites missing: " + String.join("; ", missing);
      System.err.println(reason);
      Assumptions.abort(reason);
    }
  }
}
