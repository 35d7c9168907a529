package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jbtrfs writes, the kernel and btrfs check judge. For each checksum type and node size: put a real
 * tree (parts of /usr/share) into a fresh mkfs.btrfs image, delete half of it, move directories and
 * files (also across directories), truncate files (to 0, to a size that is not sector aligned,
 * inside an inline extent), set and remove xattrs; the same operations go to a local copy. Then
 * btrfs check must be clean and a read-only kernel mount must show exactly the local tree. Then the
 * kernel writes into the image, jbtrfs writes again on top of what the kernel wrote, and both
 * checks are repeated on the combined state.
 *
 * <p>One configuration (crc32c, 16K nodes) takes the big tree (doc, man, locale, i18n, zoneinfo:
 * 30,000+ entries, 400+ MiB on a stock Debian); the others take ~2,000 files to keep CI time down.
 *
 * <p>Run: mvn -q -B -o test -Dtest=WriteOracleTest (root, loop devices, btrfs-progs).
 */
class WriteOracleTest {
  private static final List<String> BIG_EXTRA = List.of("doc", "man", "locale", "i18n");

  /** What the kernel copies in during its read-write mount, and what jbtrfs puts after it. */
  private static final String KERNEL_DIR = "perl5";

  private static final String JBTRFS_DIR = "mime";

  record Config(String csum, int nodeSize, boolean big) {
    @Override
    public String toString() {
      return csum + "-" + (nodeSize >> 10) + "K" + (big ? "-big" : "");
    }
  }

  /** All configurations, or those named in -Djbtrfs.write.configs=xxhash-16K,crc32c-4K. */
  static Stream<Config> configs() {
    String only = System.getProperty("jbtrfs.write.configs", "").trim();
    return all().filter(c -> only.isEmpty() || List.of(only.split(",")).contains(c.toString()));
  }

  private static Stream<Config> all() {
    return Stream.of(
        new Config("crc32c", 16384, true),
        new Config("xxhash", 16384, false),
        new Config("sha256", 16384, false),
        new Config("blake2", 16384, false),
        new Config("crc32c", 4096, false),
        new Config("crc32c", 65536, false));
  }

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void kernelSeesWhatJbtrfsWrote(Config c, @TempDir Path tmp) throws IOException {
    long t0 = System.nanoTime();
    Path src = Files.createDirectory(tmp.resolve("expected"));
    Path mnt = tmp.resolve("mnt");
    Path img =
        ImageFiles.mkfs(
            tmp, "img", 1536L << 20, "--csum", c.csum(), "-n", Integer.toString(c.nodeSize()));
    try {
      List<String> names = new ArrayList<>(WriteOracleWorkload.SMALL);
      if (c.big()) names.addAll(BIG_EXTRA);
      List<String> tops = new ArrayList<>(ImageFiles.copyShare(src, names));
      tops.add(WriteOracleWorkload.special(src, c.big()));
      tops.sort(null);
      long files = ImageFiles.count(src);
      long bytes = ImageFiles.bytes(src);
      System.out.printf("[%s] source: %d entries, %d bytes%n", c, files, bytes);
      if (c.big() && files < 20_000) {
        System.out.println(
            "[" + c + "] note: this machine's /usr/share gives only " + files + " entries");
      }

      // put writes the tree as /t; from here on src is the expected state of /t.
      JbtrfsCli.run("put", img.toString(), src.toString(), "/t");
      long windowStart = System.currentTimeMillis() / 1000 - 1;
      TwinOps ops = new TwinOps(img, src, "/t");
      List<String> survivors = WriteOracleWorkload.change(ops, src, tops);
      System.out.printf(
          "[%s] jbtrfs phase 1 done after %d s%n", c, (System.nanoTime() - t0) / 1_000_000_000);

      BtrfsCheck.assertClean(img, "after jbtrfs phase 1 (" + c + ")");
      compare(img, mnt, src, ops, windowStart, "after jbtrfs phase 1");

      // The kernel writes into the same image: copy a directory in, delete something jbtrfs wrote.
      String kernelVictim =
          WriteOracleWorkload.firstChild(src, survivors.get(survivors.size() - 1));
      try (Loop loop = Loop.attach(List.of(img));
          KernelMount m = KernelMount.mountReadWrite(loop.devices(), mnt)) {
        Path t = m.path().resolve("t");
        Cmd.run(
                List.of(
                    "cp", "-a", "/usr/share/" + KERNEL_DIR, t.resolve("kernel-copy").toString()),
                null,
                600)
            .check();
        Cmd.run(List.of("rm", "-r", t.resolve(kernelVictim).toString())).check();
        Cmd.run(List.of("sync")).check();
      }
      Cmd.run(
              List.of(
                  "cp", "-a", "/usr/share/" + KERNEL_DIR, src.resolve("kernel-copy").toString()))
          .check();
      Cmd.run(List.of("rm", "-r", src.resolve(kernelVictim).toString())).check();
      ops.stamp(".");
      ops.stamp(TwinOps.parent(kernelVictim));

      // jbtrfs again, on top of the kernel's writes.
      ops.put(Path.of("/usr/share", JBTRFS_DIR), "jbtrfs-copy");
      ops.rmTree(WriteOracleWorkload.firstChild(src, "kernel-copy"));
      String kernelFile =
          WriteOracleWorkload.firstFile(src.resolve("kernel-copy"), 10_000, Long.MAX_VALUE);
      if (kernelFile != null) ops.truncate("kernel-copy/" + kernelFile, 3000);

      BtrfsCheck.assertClean(img, "after kernel and jbtrfs phase 2 (" + c + ")");
      compare(img, mnt, src, ops, windowStart, "after kernel writes and jbtrfs phase 2");
      System.out.printf(
          "[%s] passed in %d s; final tree %d entries, %d bytes%n",
          c,
          (System.nanoTime() - t0) / 1_000_000_000,
          ImageFiles.count(src),
          ImageFiles.bytes(src));
    } finally {
      ImageFiles.deleteQuietly(img);
      ImageFiles.deleteQuietly(src);
    }
  }

  /**
   * Shrinking to a size inside a sector and growing again must expose zeros past the old size, not
   * the bytes that were cut off (POSIX truncate; the kernel zeroes the tail of the last block when
   * it shrinks or extends). Covers a regular extent and an inline one.
   */
  @Test
  void growAfterShrinkReadsZeros(@TempDir Path tmp) throws IOException {
    Path src = Files.createDirectories(tmp.resolve("expected"));
    Path img = ImageFiles.mkfs(tmp, "img", 512L << 20);
    try {
      ImageFiles.randomFile(src.resolve("regular"), 10_000, 5);
      ImageFiles.randomFile(src.resolve("inline"), 1500, 6);
      JbtrfsCli.run("put", img.toString(), src.toString(), "/t");
      long windowStart = System.currentTimeMillis() / 1000 - 1;
      TwinOps ops = new TwinOps(img, src, "/t");
      ops.truncate("regular", 5000);
      ops.truncate("regular", 9000);
      ops.truncate("inline", 777);
      ops.truncate("inline", 1500);
      BtrfsCheck.assertClean(img, "after shrink and grow");
      compare(img, tmp.resolve("mnt"), src, ops, windowStart, "after shrink and grow");
    } finally {
      ImageFiles.deleteQuietly(img);
      ImageFiles.deleteQuietly(src);
    }
  }

  private static void compare(
      Path img, Path mnt, Path src, TwinOps ops, long windowStart, String when) {
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount m = KernelMount.mount(loop.devices(), mnt, "")) {
      List<String> d = LocalVsImage.diff(src, m.path().resolve("t"), ops.stamped(), windowStart);
      if (!d.isEmpty()) fail("kernel view of the image " + when + ": " + Manifest.report(d, 40));
    }
  }
}
