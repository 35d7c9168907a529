package org.jbtrfs.oracle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A read-write jbtrfs mount made with {@code ./fuse-mount}, remembering the daemon's pid (from the
 * launcher's "mounted on ... (pid N, ...)" line) so a crash test can SIGKILL exactly it. close()
 * unmounts and waits for the daemon, which commits on the way out.
 */
final class RwFuseMount implements AutoCloseable {
  private static final Pattern PID = Pattern.compile("\\(pid (\\d+), log ([^)]*)\\)");

  private final Path mountPoint;
  final long pid;
  final String log;
  private boolean killed;

  private RwFuseMount(Path mountPoint, long pid, String log) {
    this.mountPoint = mountPoint;
    this.pid = pid;
    this.log = log;
  }

  static RwFuseMount mount(Path image, Path mountPoint, String options) {
    return mount(List.of(image), mountPoint, options);
  }

  /** Mounts a multi-device filesystem: every device image, in order. */
  static RwFuseMount mount(List<Path> images, Path mountPoint, String options) {
    return mount(images, mountPoint, options, "");
  }

  /** As {@link #mount(List, Path, String)}, with extra JVM options for the daemon. */
  static RwFuseMount mount(List<Path> images, Path mountPoint, String options, String javaOpts) {
    Path exe = FuseMount.launcher();
    if (!Files.isExecutable(exe)) throw new AssertionError("jbtrfs launcher missing: " + exe);
    List<String> cmd = new ArrayList<>();
    if (!javaOpts.isEmpty()) cmd.addAll(List.of("env", "JBTRFS_JAVA_OPTS=" + javaOpts));
    cmd.add(exe.toString());
    if (!options.isEmpty()) cmd.addAll(List.of("-o", options));
    for (Path image : images) cmd.add(image.toString());
    cmd.add(mountPoint.toString());
    Cmd.Result r = Cmd.run(cmd, exe.getParent(), 180);
    if (r.exitCode() != 0) throw new AssertionError("fuse-mount failed: " + r.out() + r.stderr());
    Matcher m = PID.matcher(r.stderr());
    if (!m.find()) throw new AssertionError("no pid in fuse-mount output: " + r.stderr());
    RwFuseMount mount = new RwFuseMount(mountPoint, Long.parseLong(m.group(1)), m.group(2));
    if (!Mounts.isMountPoint(mountPoint)) {
      mount.close();
      throw new AssertionError("fuse-mount returned but " + mountPoint + " is not mounted");
    }
    return mount;
  }

  Path path() {
    return mountPoint;
  }

  /** SIGKILLs the daemon (a crash: nothing after its last commit survives) and clears the mount. */
  void kill9() {
    killed = true;
    daemon()
        .ifPresent(
            h -> {
              h.destroyForcibly();
              await(h, 30);
            });
    // The dead mount answers ENOTCONN until detached; lazy so open files cannot keep it busy.
    Cmd.run(List.of("fusermount", "-u", "-z", mountPoint.toString()));
  }

  private Optional<ProcessHandle> daemon() {
    // Only the process fuse-mount reported for this mount, and only while it is a java process.
    return ProcessHandle.of(pid)
        .filter(h -> h.info().command().map(c -> c.contains("java")).orElse(true));
  }

  private static boolean await(ProcessHandle h, int seconds) {
    try {
      h.onExit().get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  @Override
  public void close() {
    if (!killed) Mounts.unmount(mountPoint, List.of("fusermount", "-u", mountPoint.toString()));
    // The unmount commit runs in the daemon after fusermount returns: wait before reading the
    // image.
    daemon()
        .ifPresent(
            h -> {
              if (!await(h, 120)) {
                System.err.println("warning: jbtrfs daemon " + pid + " did not exit; killing it");
                h.destroyForcibly();
                await(h, 30);
              }
            });
    if (Mounts.isMountPoint(mountPoint))
      Cmd.run(List.of("fusermount", "-u", "-z", mountPoint.toString()));
  }
}
