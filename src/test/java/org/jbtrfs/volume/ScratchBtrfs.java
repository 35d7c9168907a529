package org.jbtrfs.volume;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A throw-away multi-device btrfs made by the real mkfs.btrfs on sparse images attached to loop
 * devices. close() undoes everything this instance set up (and nothing else): unmount, detach only
 * the loop devices it attached, delete the temp directory.
 */
final class ScratchBtrfs implements AutoCloseable {
  final Path dir;
  final List<Path> images = new ArrayList<>();
  final List<String> loops = new ArrayList<>();
  private final Path mnt;
  private boolean mounted;

  ScratchBtrfs(int devices, String sizeSpec) throws IOException {
    dir = Files.createTempDirectory("jbtrfs-volume-oracle-");
    mnt = dir.resolve("mnt");
    try {
      Files.createDirectory(mnt);
      for (int i = 0; i < devices; i++) {
        Path img = dir.resolve("dev" + i + ".img");
        Shell.run("truncate", "-s", sizeSpec, img.toString());
        images.add(img);
        loops.add(Shell.run(Shell.which("losetup"), "-f", "--show", img.toString()).trim());
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  void mkfs(String dataProfile, String metaProfile) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(Shell.which("mkfs.btrfs"), "-f", "-d", dataProfile, "-m", metaProfile));
    cmd.addAll(loops);
    Shell.run(cmd);
  }

  /** Mounts, writes one file, syncs and unmounts, so the images hold the final state. */
  void writeFile(String name, byte[] content) throws IOException {
    StringBuilder opts = new StringBuilder();
    for (String l : loops) {
      opts.append(opts.length() == 0 ? "" : ",").append("device=").append(l);
    }
    Shell.run("mount", "-t", "btrfs", "-o", opts.toString(), loops.get(0), mnt.toString());
    mounted = true;
    Files.write(mnt.resolve(name), content);
    Shell.run("sync");
    Shell.run("umount", mnt.toString());
    mounted = false;
    // Drop any block-device page cache so progs tools see what the kernel wrote.
    for (String l : loops) {
      Shell.run(Shell.which("blockdev"), "--flushbufs", l);
    }
  }

  @Override
  public void close() {
    if (mounted) {
      Shell.quietly("umount", mnt.toString());
      mounted = false;
    }
    for (String l : loops) {
      Shell.quietly(Shell.which("losetup"), "-d", l);
    }
    loops.clear();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("could not delete " + dir + ": " + e.getMessage());
    }
  }
}
