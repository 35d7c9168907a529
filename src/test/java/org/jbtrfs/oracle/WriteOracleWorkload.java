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

/**
 * The changes WriteOracleTest makes to a tree copied from /usr/share, written against {@link
 * TreeOps} so the same workload runs through the jbtrfs CLI and through a FUSE mount: delete every
 * other top-level directory, rename one, move a subdirectory and a file across directories,
 * truncate files (to 0, to a size that is not sector aligned, inside an inline extent), set and
 * remove xattrs. Candidates are picked from the local expected tree, which both sides share.
 */
final class WriteOracleWorkload {
  /** /usr/share directories the small configurations copy (~2,000 files, ~10 MiB). */
  static final List<String> SMALL =
      List.of(
          "bash-completion",
          "ca-certificates",
          "common-licenses",
          "fontconfig",
          "groff",
          "iso-codes",
          "lintian",
          "zoneinfo");

  private WriteOracleWorkload() {}

  /**
   * Applies the changes to a tree whose top-level entries are {@code tops} (sorted); {@code src} is
   * the local expected tree. Returns the surviving top-level entries (the first one renamed).
   */
  static List<String> change(TreeOps ops, Path src, List<String> tops) throws IOException {
    List<String> survivors = new ArrayList<>();
    for (int i = 0; i < tops.size(); i++) {
      if (i % 2 == 1) ops.rmTree(tops.get(i));
      else survivors.add(tops.get(i));
    }
    moves(ops, src, survivors);
    List<String> truncated = truncations(ops, src);
    xattrs(ops, src, survivors, truncated);
    return survivors;
  }

  /**
   * A top-level directory of cases /usr/share lacks: hard links (one across directories), an empty
   * file, a file of exactly one sector, a fifo, a symlink, and for the big run a file larger than
   * one 128 MiB extent.
   */
  static String special(Path src, boolean big) throws IOException {
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
  private static void moves(TreeOps ops, Path src, List<String> survivors) throws IOException {
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
  private static List<String> truncations(TreeOps ops, Path src) throws IOException {
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
      TreeOps ops, Path src, List<String> survivors, List<String> truncated) {
    String file = truncated.get(1);
    ops.setXattr(file, "user.one", "hello");
    ops.setXattr(file, "user.two", "world");
    ops.removeXattr(file, "user.one");
    ops.setXattr(truncated.get(2), "user.inline", "x".repeat(300));
    ops.setXattr(survivors.get(survivors.size() - 1), "user.dir", "on a directory");
    ops.setXattr(survivors.get(0), "user.gone", "soon");
    ops.removeXattr(survivors.get(0), "user.gone");
  }

  /** The first entry (sorted) of directory rel, as a path relative to the tree root. */
  static String firstChild(Path src, String rel) throws IOException {
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
  static String firstFile(Path dir, long min, long max) {
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
