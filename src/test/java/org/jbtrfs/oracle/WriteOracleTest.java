package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
  private static final List<String> SMALL =
      List.of(
          "bash-completion",
          "ca-certificates",
          "common-licenses",
          "fontconfig",
          "groff",
          "iso-codes",
          "lintian",
          "zoneinfo");
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
      List<String> names = new ArrayList<>(SMALL);
      if (c.big()) names.addAll(BIG_EXTRA);
      List<String> tops = new ArrayList<>(ImageFiles.copyShare(src, names));
      tops.add(special(src, c.big()));
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
      List<String> survivors = new ArrayList<>();
      for (int i = 0; i < tops.size(); i++) {
        if (i % 2 == 1) ops.rmTree(tops.get(i));
        else survivors.add(tops.get(i));
      }
      moves(ops, src, survivors);
      List<String> truncated = truncations(ops, src);
      xattrs(ops, src, survivors, truncated);
      System.out.printf(
          "[%s] jbtrfs phase 1 done after %d s%n", c, (System.nanoTime() - t0) / 1_000_000_000);

      BtrfsCheck.assertClean(img, "after jbtrfs phase 1 (" + c + ")");
      compare(img, mnt, src, ops, windowStart, "after jbtrfs phase 1");

      // The kernel writes into the same image: copy a directory in, delete something jbtrfs wrote.
      String kernelVictim = firstChild(src, survivors.get(survivors.size() - 1));
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
      ops.rmTree(firstChild(src, "kernel-copy"));
      String kernelFile = firstFile(src.resolve("kernel-copy"), 10_000, Long.MAX_VALUE);
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

  /**
   * A top-level directory of cases /usr/share lacks: hard links (one across directories), an empty
   * file, a file of exactly one sector, a fifo, a symlink, and for the big run a file larger than
   * one 128 MiB extent.
   */
  private static String special(Path src, boolean big) throws IOException {
    Path d = Files.createDirectories(src.resolve("aa-special/sub"));
    Path a = d.getParent().resolve("linked");
    ImageFiles.randomFile(a, 70_001, 1);
    Files.createLink(d.getParent().resolve("linked-2"), a);
    Files.createLink(d.resolve("linked-3"), a);
    Files.createFile(d.resolve("empty"));
    ImageFiles.randomFile(d.resolve("one-sector"), 4096, 2);
    ImageFiles.randomFile(d.resolve("inline"), 1500, 3);
    Cmd.run(List.of("mkfifo", d.resolve("fifo").toString())).check();
    Files.createSymbolicLink(d.resolve("link"), Path.of("../linked"));
    if (big) ImageFiles.randomFile(d.getParent().resolve("huge"), (130L << 20) + 12345, 4);
    return "aa-special";
  }

  /** Renames a top-level directory, moves a subdirectory and a file across directories. */
  private static void moves(TwinOps ops, Path src, List<String> survivors) throws IOException {
    String b = survivors.get(survivors.size() - 1);
    String a = null;
    String sub = null;
    for (String s : survivors.subList(1, survivors.size() - 1)) {
      sub = firstDir(src.resolve(s));
      if (sub != null) {
        a = s;
        break;
      }
    }
    if (a == null) fail("no surviving directory with a subdirectory among " + survivors);
    ops.mv(survivors.get(0), survivors.get(0) + ".renamed");
    survivors.set(0, survivors.get(0) + ".renamed");
    ops.mv(a + "/" + sub, b + "/" + sub + ".moved-dir");
    for (String s : survivors.subList(1, survivors.size() - 1)) {
      String file = firstFile(src.resolve(s), 1, Long.MAX_VALUE);
      if (file != null) {
        ops.mv(s + "/" + file, b + "/moved-file");
        return;
      }
    }
    fail("no file to move in " + survivors);
  }

  /** Truncates one file to 0, one to a non-sector-aligned size, one inline file inside its data. */
  private static List<String> truncations(TwinOps ops, Path src) throws IOException {
    List<String> done = new ArrayList<>();
    String zero = firstFile(src, 4097, Long.MAX_VALUE);
    ops.truncate(zero, 0);
    done.add(zero);
    for (Path p : ImageFiles.walk(src)) {
      String rel = src.relativize(p).toString();
      if (done.contains(rel) || !Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || nlink(p) != 1)
        continue;
      long size = ImageFiles.size(p);
      if (done.size() == 1 && size > 10_000) {
        ops.truncate(rel, 5000);
        done.add(rel);
      } else if (done.size() == 2 && size >= 1000 && size <= 2048) {
        ops.truncate(rel, 777);
        done.add(rel);
        break;
      }
    }
    assertTrue(done.size() == 3, "truncation candidates not found: " + done);
    System.out.println("truncated: " + done);
    return done;
  }

  private static void xattrs(
      TwinOps ops, Path src, List<String> survivors, List<String> truncated) {
    String file = truncated.get(1);
    ops.setXattr(file, "user.one", "hello");
    ops.setXattr(file, "user.two", "world");
    ops.removeXattr(file, "user.one");
    ops.setXattr(truncated.get(2), "user.inline", "x".repeat(300));
    ops.setXattr(survivors.get(survivors.size() - 1), "user.dir", "on a directory");
    ops.setXattr(survivors.get(0), "user.gone", "soon");
    ops.removeXattr(survivors.get(0), "user.gone");
  }

  private static void compare(
      Path img, Path mnt, Path src, TwinOps ops, long windowStart, String when) {
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount m = KernelMount.mount(loop.devices(), mnt, "")) {
      List<String> d = LocalVsImage.diff(src, m.path().resolve("t"), ops.stamped(), windowStart);
      if (!d.isEmpty()) fail("kernel view of the image " + when + ": " + Manifest.report(d, 40));
    }
  }

  /** The first entry (sorted) of directory rel, as a path relative to the tree root. */
  private static String firstChild(Path src, String rel) throws IOException {
    try (Stream<Path> s = Files.list(src.resolve(rel))) {
      return rel + "/" + s.map(p -> p.getFileName().toString()).sorted().findFirst().orElseThrow();
    }
  }

  private static String firstDir(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS))
          .map(p -> p.getFileName().toString())
          .sorted()
          .findFirst()
          .orElse(null);
    }
  }

  /**
   * First regular file (walk order) under dir with min <= size <= max, relative to dir. Hard linked
   * files are skipped: changing one would stamp the mtime seen under its other names too.
   */
  private static String firstFile(Path dir, long min, long max) {
    for (Path p : ImageFiles.walk(dir)) {
      if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && nlink(p) == 1) {
        long s = ImageFiles.size(p);
        if (s >= min && s <= max) return dir.relativize(p).toString();
      }
    }
    return null;
  }

  private static int nlink(Path p) {
    try {
      return (Integer) Files.getAttribute(p, "unix:nlink", LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
