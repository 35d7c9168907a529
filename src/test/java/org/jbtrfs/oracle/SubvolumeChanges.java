package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The tree SnapshotWriteTest builds in a subvolume, and the changes it then makes to each copy of
 * it. Everything is plain file API calls, so the same code runs on the local expected tree and on
 * the mount under test, with contents that depend only on path and seed.
 *
 * <p>Layout: directories d0..d29, each with 80 files (inline-sized and a few sectors) and
 * s0..s2/t0..t1 below it holding 10 more; a 3 MiB random "big" with reflinked copies. That is about
 * 4,200 files, enough for several tree levels with 4K nodes.
 */
final class SubvolumeChanges {
  static final int DIRS = 30;
  static final int FILES = 80;

  private SubvolumeChanges() {}

  /** Fills an empty directory with the layout above (the reflinks are the caller's: cp). */
  static void populate(Path base) {
    for (int d = 0; d < DIRS; d++) {
      Path dir = base.resolve("d" + d);
      for (int f = 0; f < FILES; f++) write(dir.resolve("f" + f), content("d" + d + "/f" + f, 0));
      for (int s = 0; s < 3; s++) {
        for (int t = 0; t < 2; t++) {
          String deep = "d" + d + "/s" + s + "/t" + t;
          for (int g = 0; g < 10; g++) write(base.resolve(deep + "/g" + g), content(deep + g, 0));
        }
      }
    }
    write(base.resolve("big"), randomBytes(3 << 20, 99));
  }

  /**
   * Variant {@code v} (0, 1, 2: one per subvolume) of the changes: deletes a whole multi-level
   * directory and 60 files of another, overwrites 40 files, adds a directory tree of 400 files,
   * shrinks a reflinked file, grows another, overwrites the middle of the shared big file, renames
   * a directory. Returns the paths whose mtime the changes set to "now".
   */
  static Set<String> change(Path base, int v) {
    Set<String> stamped = new TreeSet<>();
    deleteTree(base.resolve("d" + v));
    stamped.add(".");
    String thinned = "d" + (v + 5);
    for (int f = 0; f < 60; f++) delete(base.resolve(thinned + "/f" + f));
    stamped.add(thinned);
    for (int f = 0; f < 40; f++) {
      String rel = "d" + (v + 10) + "/f" + f;
      write(base.resolve(rel), content(rel, v + 1));
      stamped.add(rel);
    }
    for (int a = 0; a < 4; a++) {
      String dir = "added" + v + "/a" + a;
      for (int f = 0; f < 100; f++) {
        write(base.resolve(dir + "/n" + f), content(dir + f, v + 7));
        stamped.add(dir + "/n" + f);
      }
      stamped.add(dir);
    }
    stamped.add("added" + v);
    setLength(base.resolve("big.reflink"), 123_457 + v);
    stamped.add("big.reflink");
    setLength(base.resolve("d3/big.copy"), (5 << 20) + v);
    stamped.add("d3/big.copy");
    overwrite(base.resolve("big"), (1 << 20) + v * 8192L, randomBytes(65_536, 40 + v));
    stamped.add("big");
    rename(base.resolve("d" + (v + 15)), base.resolve("moved" + v));
    return stamped;
  }

  /** Deletes every other file of {@code dir} (a second round over blocks COWed before). */
  static Set<String> thin(Path base, String dir, int phase) {
    for (int f = phase; f < FILES; f += 2) delete(base.resolve(dir + "/f" + f));
    return Set.of(dir);
  }

  /** Sizes from 1 byte (inline) to a few sectors, varying with the path. */
  static byte[] content(String key, int seed) {
    SplittableRandom r = new SplittableRandom(key.hashCode() * 31L + seed);
    int size = r.nextInt(4) == 0 ? 1 + r.nextInt(2000) : 3000 + r.nextInt(20_000);
    byte[] b = new byte[size];
    r.nextBytes(b);
    return b;
  }

  static byte[] randomBytes(int size, long seed) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private static void write(Path p, byte[] data) {
    try {
      Files.createDirectories(p.getParent());
      Files.write(p, data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void delete(Path p) {
    try {
      Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
      for (Path p : all) Files.delete(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void setLength(Path p, long size) {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.setLength(size);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void overwrite(Path p, long offset, byte[] data) {
    try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
      f.seek(offset);
      f.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void rename(Path from, Path to) {
    try {
      Files.move(from, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
