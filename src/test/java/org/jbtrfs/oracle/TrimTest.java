package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fstrim on a jbtrfs mount of an image file: the device space no chunk uses and the free space
 * inside chunks become holes in the image (garbage there, or a deleted file's data), the superblock
 * copy at 64 MiB survives, btrfs check is clean and a kernel mount reads the files. The kernel, on
 * an identical image given the same steps, trims about as much.
 */
class TrimTest {
  private static final Pattern TRIMMED = Pattern.compile("\\((\\d+) bytes\\) trimmed");
  private static final long MiB = 1L << 20;

  @TempDir Path tmp;

  @Test
  void fstrimPunchesTheUnallocatedSpace() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "img", 2048 * MiB);
    Path kimg = tmp.resolve("kimg");
    Cmd.run(List.of("cp", "--sparse=always", img.toString(), kimg.toString())).check();
    // Garbage where no chunk is: what a reused disk or an old image holds.
    Cmd.run(
            List.of(
                "dd",
                "if=/dev/urandom",
                "of=" + img,
                "bs=1M",
                "seek=1500",
                "count=100",
                "conv=notrunc",
                "status=none"))
        .check();
    long before = allocatedBytes(img);
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    long trimmed;
    try (RwFuseMount m = RwFuseMount.mount(img, mnt, "")) {
      ImageFiles.randomFile(mnt.resolve("f"), 3 * MiB, 5);
      trimmed = fstrim(mnt);
    }
    long after = allocatedBytes(img);
    System.out.printf(
        "TrimTest: jbtrfs trimmed %d bytes; image blocks %d -> %d bytes%n", trimmed, before, after);
    assertTrue(trimmed > 1500 * MiB, "trimmed only " + trimmed + " bytes");
    assertTrue(
        after < before - 99 * MiB, "the garbage is still allocated: " + before + " -> " + after);
    BtrfsCheck.assertClean(img, "after fstrim");
    String mirror =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", "-s", "1", img.toString()))
            .check()
            .out();
    assertTrue(mirror.contains("[match]"), "superblock copy at 64 MiB:\n" + mirror);
    Path local = tmp.resolve("f");
    ImageFiles.randomFile(local, 3 * MiB, 5);
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "ro")) {
      assertTrue(
          java.util.Arrays.equals(
              Files.readAllBytes(local), Files.readAllBytes(k.path().resolve("f"))));
    }
    long kernelTrimmed;
    try (Loop loop = Loop.attach(List.of(kimg));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      ImageFiles.randomFile(k.path().resolve("f"), 3 * MiB, 5);
      kernelTrimmed = fstrim(k.path());
    }
    long kernelAfter = allocatedBytes(kimg);
    System.out.printf(
        "TrimTest: the kernel trimmed %d bytes; image blocks after %d bytes%n",
        kernelTrimmed, kernelAfter);
    assertKeepsNoMoreThanTheKernel(after, kernelAfter);
    assertEquals(0, Cmd.run(List.of("btrfs", "check", "--readonly", kimg.toString())).exitCode());
  }

  /**
   * Space a deleted file freed inside a data chunk is trimmed too, as the kernel trims it: the
   * image loses those blocks, the files left are intact, and the kernel on an identical image,
   * given the same steps, reports about the same count.
   */
  @Test
  void fstrimPunchesTheFreedSpaceInsideChunks() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "img2", 2048 * MiB);
    Path kimg = tmp.resolve("kimg2");
    Cmd.run(List.of("cp", "--sparse=always", img.toString(), kimg.toString())).check();
    Path mnt = Files.createDirectories(tmp.resolve("mnt2"));
    long trimmed;
    long before;
    long after;
    try (RwFuseMount m = RwFuseMount.mount(img, mnt, "")) {
      trimmed = deleteAndTrim(m.path(), img);
      before = lastBefore;
      after = lastAfter;
    }
    System.out.printf(
        "TrimTest: jbtrfs trimmed %d bytes after the delete; image blocks %d -> %d bytes%n",
        trimmed, before, after);
    assertTrue(
        after < before - 250 * MiB,
        "the freed data is still allocated: " + before + " -> " + after);
    BtrfsCheck.assertClean(img, "after fstrim of freed space");
    Path local = tmp.resolve("small");
    ImageFiles.randomFile(local, 3 * MiB, 7);
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("kmnt2"), "ro")) {
      assertTrue(
          java.util.Arrays.equals(
              Files.readAllBytes(local), Files.readAllBytes(k.path().resolve("small"))));
    }
    long kernelTrimmed;
    try (Loop loop = Loop.attach(List.of(kimg));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt2"))) {
      kernelTrimmed = deleteAndTrim(k.path(), kimg);
    }
    System.out.printf(
        "TrimTest: the kernel trimmed %d bytes after the delete; image blocks %d -> %d bytes%n",
        kernelTrimmed, lastBefore, lastAfter);
    assertKeepsNoMoreThanTheKernel(after, lastAfter);
  }

  /**
   * What is left allocated in the image after fstrim, against the kernel's image: its own count of
   * trimmed bytes is no yardstick, since the kernel (discard=async by default on this kernel) skips
   * what its background discard already trimmed, so the images are compared instead.
   */
  private static void assertKeepsNoMoreThanTheKernel(long jbtrfsAfter, long kernelAfter) {
    assertTrue(
        jbtrfsAfter <= kernelAfter + 8 * MiB,
        "jbtrfs leaves " + jbtrfsAfter + " bytes allocated, the kernel " + kernelAfter);
  }

  private long lastBefore;
  private long lastAfter;

  /**
   * Writes a 300 MiB file and a small one, deletes the big one, commits, and runs fstrim once (the
   * kernel remembers what it trimmed and skips it the next time, jbtrfs does not: one run each
   * keeps the counts comparable).
   */
  private long deleteAndTrim(Path mnt, Path img) throws Exception {
    ImageFiles.randomFile(mnt.resolve("big"), 300 * MiB, 3);
    ImageFiles.randomFile(mnt.resolve("small"), 3 * MiB, 7);
    Cmd.run(List.of("sync", "-f", mnt.resolve("small").toString())).check();
    Files.delete(mnt.resolve("big"));
    // Two commits: the one that frees the extent, and the one after which it is no longer pinned.
    Cmd.run(List.of("sync", "-f", mnt.resolve("small").toString())).check();
    Cmd.run(List.of("sync", "-f", mnt.resolve("small").toString())).check();
    lastBefore = allocatedBytes(img);
    long t = fstrim(mnt);
    lastAfter = allocatedBytes(img);
    return t;
  }

  private static long fstrim(Path mnt) {
    String out = Cmd.run(List.of("fstrim", "-v", mnt.toString())).check().out();
    Matcher m = TRIMMED.matcher(out);
    if (!m.find()) throw new AssertionError("fstrim said: " + out);
    return Long.parseLong(m.group(1));
  }

  /** Bytes of the image file that are allocated on the host (not holes). */
  private static long allocatedBytes(Path img) {
    return Long.parseLong(
        Cmd.run(List.of("du", "-B1", "--", img.toString())).check().out().split("\\s+")[0]);
  }
}
