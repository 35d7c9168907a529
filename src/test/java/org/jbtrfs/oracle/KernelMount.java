package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A btrfs mounted by the kernel from loop devices; close() unmounts it. */
final class KernelMount implements AutoCloseable {
  private final Path mountPoint;

  private KernelMount(Path mountPoint) {
    this.mountPoint = mountPoint;
  }

  /**
   * Mounts read-only with noatime, so walking the tree for the reference manifest cannot change
   * atimes. All devices are named with device= so the mount does not depend on an earlier btrfs
   * device scan.
   *
   * @param extraOptions e.g. "subvol=sv1" or "degraded"; empty for none
   */
  static KernelMount mount(List<String> devices, Path mountPoint, String extraOptions) {
    return mount(devices, mountPoint, "ro,noatime", extraOptions);
  }

  /** Read-write, for tests that need to change a filesystem between two readings. */
  static KernelMount mountReadWrite(List<String> devices, Path mountPoint) {
    return mount(devices, mountPoint, "rw", "");
  }

  /** Read-write with extra options, e.g. "noatime". */
  static KernelMount mountReadWrite(List<String> devices, Path mountPoint, String extraOptions) {
    return mount(devices, mountPoint, "rw", extraOptions);
  }

  private static KernelMount mount(
      List<String> devices, Path mountPoint, String base, String extraOptions) {
    StringBuilder opts = new StringBuilder(base);
    if (!extraOptions.isEmpty()) {
      opts.append(',').append(extraOptions);
    }
    for (String dev : devices.subList(1, devices.size())) {
      opts.append(",device=").append(dev);
    }
    try {
      Files.createDirectories(mountPoint);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Cmd.run(
            List.of(
                "mount",
                "-t",
                "btrfs",
                "-o",
                opts.toString(),
                devices.get(0),
                mountPoint.toString()))
        .check();
    return new KernelMount(mountPoint);
  }

  Path path() {
    return mountPoint;
  }

  /** The kernel's `btrfs scrub start -B` of this mount. */
  Cmd.Result scrub() {
    return Cmd.run(List.of("btrfs", "scrub", "start", "-B", mountPoint.toString()), null, 600);
  }

  /** The kernel's scrub of this mount finds no error. */
  void assertScrubClean() {
    Cmd.Result ks = scrub();
    org.assertj.core.api.Assertions.assertThat(ks.out())
        .as(ks.out() + ks.stderr())
        .contains("no errors found");
  }

  /**
   * Mounts all of {@code devices} read-write, asserts the kernel shows {@code expected} (atime
   * aside) and scrubs clean, and returns `btrfs filesystem show` of the mount; then btrfs check of
   * the unmounted devices must be clean.
   */
  static String assertReadsBack(Loop loop, Path mountPoint, Manifest expected, String when) {
    String show;
    try (KernelMount k = mountReadWrite(loop.devices(), mountPoint)) {
      List<String> d =
          Manifest.diff(expected, ManifestReader.read(k.path()), java.util.Set.of("atime"));
      org.assertj.core.api.Assertions.assertThat(d)
          .as("the kernel, all devices, " + when + ": " + Manifest.report(d, 20))
          .isEmpty();
      k.assertScrubClean();
      show = Cmd.run(List.of("btrfs", "filesystem", "show", k.path().toString())).check().out();
    }
    BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), when);
    return show;
  }

  @Override
  public void close() {
    Mounts.unmount(mountPoint, List.of("umount", mountPoint.toString()));
  }
}
