package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Loop devices attached to image files for the lifetime of this object. close() detaches exactly
 * the devices this object attached.
 */
final class Loop implements AutoCloseable {
  private final List<String> devices = new ArrayList<>();

  private Loop() {}

  /** Attaches each image, in order; on failure detaches what was already attached. */
  static Loop attach(List<Path> images) {
    Loop loop = new Loop();
    try {
      for (Path image : images) {
        String dev =
            Cmd.run(List.of("losetup", "-f", "--show", image.toString())).check().out().trim();
        loop.devices.add(dev);
      }
      return loop;
    } catch (RuntimeException e) {
      loop.close();
      throw e;
    }
  }

  List<String> devices() {
    return Collections.unmodifiableList(devices);
  }

  /** Creates a sparse file of the given size (no blocks are allocated). */
  static void createSparse(Path image, long bytes) {
    Cmd.run(List.of("truncate", "-s", Long.toString(bytes), image.toString())).check();
  }

  @Override
  public void close() {
    for (String dev : devices) {
      // The kernel remembers scanned btrfs devices by path; forgetting ours
      // keeps a later loop device reusing this name from looking like a
      // member of this filesystem (and lets degraded mounts really miss it).
      Cmd.run(List.of("btrfs", "device", "scan", "--forget", dev));
      Cmd.Result r = Cmd.run(List.of("losetup", "-d", dev));
      if (r.exitCode() != 0) {
        System.err.println("warning: losetup -d " + dev + " failed: " + r.stderr());
      }
    }
    devices.clear();
  }
}
