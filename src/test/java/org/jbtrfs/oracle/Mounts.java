package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Mount-table queries and a patient unmount shared by the kernel and FUSE helpers. */
final class Mounts {
  private Mounts() {}

  /** True if something is mounted exactly at dir (per /proc/self/mountinfo, field 5). */
  static boolean isMountPoint(Path dir) {
    String want = escape(dir.toAbsolutePath().normalize().toString());
    try {
      return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
          .map(l -> l.split(" "))
          .anyMatch(f -> f.length > 4 && f[4].equals(want));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** mountinfo escapes space, tab, newline and backslash as octal. */
  private static String escape(String path) {
    return path.replace("\\", "\\134")
        .replace(" ", "\\040")
        .replace("\t", "\\011")
        .replace("\n", "\\012");
  }

  /**
   * Unmounts with the given command, retrying while the mount is busy (a just-finished reader may
   * still hold it), then falls back to a lazy unmount so a test never leaves a mount behind.
   */
  static void unmount(Path dir, List<String> command) {
    for (int attempt = 0; attempt < 10 && isMountPoint(dir); attempt++) {
      Cmd.Result r = Cmd.run(command, null, 60);
      if (r.exitCode() == 0) {
        return;
      }
      sleep(300);
    }
    if (isMountPoint(dir)) {
      System.err.println("warning: " + dir + " still busy; lazy unmount");
      Cmd.run(List.of("umount", "-l", dir.toString()));
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
