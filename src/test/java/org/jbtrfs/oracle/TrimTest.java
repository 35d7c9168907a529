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
 * fstrim on a jbtrfs mount of an image file: the device space no chunk uses becomes holes in the
 * image (which had garbage there), the superblock copy at 64 MiB survives, btrfs check is clean and
 * a kernel mount reads the files. The kernel, on an identical image, trims at least as much (it
 * also trims the free space inside chunks, which jbtrfs does not).
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
    System.out.printf("TrimTest: the kernel trimmed %d bytes%n", kernelTrimmed);
    assertTrue(kernelTrimmed >= trimmed, "the kernel trimmed less: " + kernelTrimmed);
    assertEquals(0, Cmd.run(List.of("btrfs", "check", "--readonly", kimg.toString())).exitCode());
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
