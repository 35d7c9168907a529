package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/** Small file-system chores shared by the write tests: images, source trees, walks. */
final class ImageFiles {
  private ImageFiles() {}

  /** A sparse image of {@code bytes} formatted by mkfs.btrfs with the given extra arguments. */
  static Path mkfs(Path dir, String name, long bytes, String... args) {
    Path img = dir.resolve(name);
    Loop.createSparse(img, bytes);
    List<String> cmd = new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f"));
    cmd.addAll(List.of(args));
    cmd.add(img.toString());
    Cmd.run(cmd).check();
    return img;
  }

  /** cp -a of each existing /usr/share/NAME into {@code dest}/NAME; returns the names copied. */
  static List<String> copyShare(Path dest, List<String> names) {
    List<String> copied = new ArrayList<>();
    for (String n : names) {
      Path from = Path.of("/usr/share", n);
      if (!Files.isDirectory(from)) continue;
      Cmd.run(List.of("cp", "-a", from.toString(), dest.resolve(n).toString()), null, 900).check();
      copied.add(n);
    }
    return copied;
  }

  /** Writes {@code bytes} of seeded pseudo-random (incompressible, reproducible) data. */
  static void randomFile(Path file, long bytes, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    byte[] buf = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = bytes; left > 0; ) {
        for (int i = 0; i < buf.length; i += 8) {
          long v = r.nextLong();
          for (int k = 0; k < 8; k++) buf[i + k] = (byte) (v >>> (8 * k));
        }
        int n = (int) Math.min(buf.length, left);
        out.write(buf, 0, n);
        left -= n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every path under {@code root} (root itself excluded), sorted, symlinks not followed. */
  static List<Path> walk(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(p -> !p.equals(root)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long count(Path root) {
    return walk(root).size();
  }

  static long bytes(Path root) {
    long sum = 0;
    for (Path p : walk(root))
      if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) sum += size(p);
    return sum;
  }

  static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteQuietly(Path p) {
    if (p == null || !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
    Cmd.Result r = Cmd.run(List.of("rm", "-rf", "--one-file-system", p.toString()));
    if (r.exitCode() != 0) System.err.println("warning: cannot remove " + p + ": " + r.stderr());
  }
}
