package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * jbtrfs mounted through its launcher, {@code ./fuse-mount -o OPTIONS IMAGE... MOUNTPOINT}, which
 * returns once the mount is live. close() unmounts with fusermount -u and stops any process this
 * object started that is still alive.
 */
final class FuseMount implements AutoCloseable {
  private static final long MOUNT_TIMEOUT_SECONDS = 120;

  private final Path mountPoint;
  private final Process launcher;

  private FuseMount(Path mountPoint, Process launcher) {
    this.mountPoint = mountPoint;
    this.launcher = launcher;
  }

  /** The launcher, resolved from the repository root (the test's working directory). */
  static Path launcher() {
    return Path.of(System.getProperty("user.dir"), "fuse-mount");
  }

  /**
   * Mounts images (files, not loop devices) read-only.
   *
   * @param extraOptions appended after "ro", e.g. "subvolid=256,degraded"; empty for none
   * @throws AssertionError if the launcher is missing or the mount does not appear: that is a
   *     jbtrfs failure, not an environment problem, so it must not skip
   */
  static FuseMount mount(List<Path> images, Path mountPoint, String extraOptions) {
    return mountWith(images, mountPoint, extraOptions.isEmpty() ? "ro" : "ro," + extraOptions);
  }

  /** Mounts images read-write; {@code options} may be empty. */
  static FuseMount mountReadWrite(List<Path> images, Path mountPoint, String options) {
    return mountWith(images, mountPoint, options.isEmpty() ? "rw" : "rw," + options);
  }

  private static FuseMount mountWith(List<Path> images, Path mountPoint, String options) {
    Attempt a = attempt(images, mountPoint, options);
    if (a.mount() == null) throw new AssertionError(a.refusal());
    return a.mount();
  }

  /** A mount, or (mount null) the launcher's account of why jbtrfs refused it. */
  record Attempt(FuseMount mount, int exitCode, String refusal) {}

  /**
   * Mounts with the given options, returning jbtrfs's refusal instead of failing when the launcher
   * exits non-zero (a corrupt image is refused, and that is a verdict, not a test failure).
   *
   * @throws AssertionError if the launcher does not return in time or says it mounted but nothing
   *     is mounted: jbtrfs failures either way
   */
  static Attempt attempt(List<Path> images, Path mountPoint, String options) {
    return attempt(images, mountPoint, options, null);
  }

  /** As above, with the daemon's log in {@code logDir} (null: the launcher's default, /tmp). */
  static Attempt attempt(List<Path> images, Path mountPoint, String options, Path logDir) {
    Path exe = launcher();
    if (!Files.isExecutable(exe)) {
      throw new AssertionError("jbtrfs launcher missing or not executable: " + exe);
    }
    try {
      Files.createDirectories(mountPoint);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd = new ArrayList<>(List.of(exe.toString(), "-o", options));
    images.forEach(i -> cmd.add(i.toString()));
    cmd.add(mountPoint.toString());

    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.directory(exe.getParent().toFile());
    if (logDir != null) pb.environment().put("JBTRFS_LOG_DIR", logDir.toString());
    // The launcher's output goes to a file so a daemon child that keeps the
    // stream open can never block on (or be killed by) a closed pipe.
    Path log = mountPoint.resolveSibling(mountPoint.getFileName() + ".log");
    pb.redirectOutput(log.toFile());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new AssertionError("cannot start " + cmd, e);
    }
    FuseMount m = new FuseMount(mountPoint, p);
    try {
      boolean exited = p.waitFor(MOUNT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      if (exited && p.exitValue() != 0) {
        String why = "fuse-mount exited " + p.exitValue() + ": " + cmd + "\n" + read(log);
        m.close();
        return new Attempt(null, p.exitValue(), why);
      }
      if (!Mounts.isMountPoint(mountPoint)) {
        throw new AssertionError(
            "fuse-mount "
                + (exited ? "returned" : "timed out")
                + " but "
                + mountPoint
                + " is not mounted: "
                + cmd
                + "\n"
                + read(log));
      }
      return new Attempt(m, 0, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      m.close();
      throw new AssertionError("interrupted", e);
    } catch (RuntimeException | AssertionError e) {
      m.close();
      throw e;
    }
  }

  Path path() {
    return mountPoint;
  }

  /**
   * Stops a daemon that no longer answers (SIGKILL to the pid its launcher reported, so the kernel
   * aborts the connection), then unmounts as close() does.
   */
  void abort() {
    daemon().ifPresent(ProcessHandle::destroyForcibly);
    Cmd.run(List.of("fusermount", "-u", "-z", mountPoint.toString()));
    close();
  }

  @Override
  public void close() {
    Mounts.unmount(mountPoint, List.of("fusermount", "-u", mountPoint.toString()));
    // After unmount the daemon finishes its last commit and exits by itself: wait for it (a
    // plain FUSE unmount does not), and stop only what we started if it hangs.
    List<ProcessHandle> ours = new ArrayList<>(launcher.descendants().toList());
    ours.add(launcher.toHandle());
    daemonPid().flatMap(ProcessHandle::of).ifPresent(ours::add);
    for (ProcessHandle h : ours) {
      if (!ProcessExit.await(h, DAEMON_EXIT_SECONDS)) h.destroyForcibly();
    }
  }

  private static final int DAEMON_EXIT_SECONDS = 60;

  /** The daemon this mount's launcher started, while it runs. */
  java.util.Optional<ProcessHandle> daemon() {
    return daemonPid().flatMap(ProcessHandle::of);
  }

  /** The daemon's pid, from the launcher's "mounted on ... (pid N, ...)" line. */
  private java.util.Optional<Long> daemonPid() {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\(pid (\\d+),").matcher(read(logFile()));
    return m.find()
        ? java.util.Optional.of(Long.parseLong(m.group(1)))
        : java.util.Optional.empty();
  }

  /** The daemon's own log file, which the launcher names when the mount is live. */
  Path daemonLog() {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(", log (\\S+)\\)").matcher(read(logFile()));
    if (!m.find())
      throw new AssertionError("the launcher named no daemon log:\n" + read(logFile()));
    return Path.of(m.group(1));
  }

  private Path logFile() {
    return mountPoint.resolveSibling(mountPoint.getFileName() + ".log");
  }

  private static String read(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
