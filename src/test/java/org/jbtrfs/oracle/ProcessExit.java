package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Waits for a process to finish. A daemon the launcher detached is the child of init, which may
 * take a second or two to reap it; as a zombie it has already let go of everything (files, the
 * mount, the devices), so a zombie counts as finished here, where ProcessHandle.onExit would wait
 * for the reaping.
 */
final class ProcessExit {
  private static final long POLL_MILLIS = 20;

  private ProcessExit() {}

  /** True while the process runs: not exited, not a zombie waiting to be reaped. */
  static boolean isRunning(ProcessHandle h) {
    return h.isAlive() && !isZombie(h.pid());
  }

  /** True once the process has exited (or is a zombie) within the time limit. */
  static boolean await(ProcessHandle h, long seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (isRunning(h)) {
      if (System.nanoTime() > deadline) return false;
      Mounts.sleep(POLL_MILLIS);
    }
    return true;
  }

  /** /proc/PID/stat's state field, which follows the command name in parentheses. */
  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int close = stat.lastIndexOf(')');
      char state = close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
      return state == 'Z' || state == 'X';
    } catch (IOException e) {
      return true; // gone already
    }
  }
}
