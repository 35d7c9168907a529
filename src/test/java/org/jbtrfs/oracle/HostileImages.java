package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * btrfs-progs' fuzz-tests and fsck-tests images, unpacked and restored by
 * scripts/lib/hostile-images (from JBTRFS_THIRDPARTY or ../shared/thirdparty), each named as in the
 * verdict tables. Unpacked once per test JVM (the walk through FUSE and the in-process walk share
 * them) into a temporary directory that goes when the JVM exits.
 */
final class HostileImages {
  record Image(String name, Path path) {}

  private static List<Image> shared;

  private HostileImages() {}

  static synchronized List<Image> shared() {
    if (shared == null) {
      try {
        Path dir = Files.createTempDirectory("jbtrfs-hostile-images");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir)));
        shared = unpack(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return shared;
  }

  private static List<Image> unpack(Path dest) {
    Path script = Path.of(System.getProperty("user.dir"), "scripts", "lib", "hostile-images");
    Cmd.Result r = Cmd.run(List.of(script.toString(), dest.toString()), null, 600);
    if (r.exitCode() != 0)
      throw new AssertionError("scripts/lib/hostile-images failed:\n" + r.out() + r.stderr());
    List<Image> images = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      String[] f = line.split("\t");
      if (f.length == 2) images.add(new Image(f[0], Path.of(f[1])));
    }
    return List.copyOf(images);
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    } catch (IOException e) {
      System.err.println("warning: cannot delete " + dir + ": " + e);
    }
  }
}
