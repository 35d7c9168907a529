package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The oracle image configurations, defined once in scripts/make-test-images (which also builds
 * them) so the Java side cannot drift from the script.
 */
final class ImageSet {
  private ImageSet() {}

  static Path repoRoot() {
    return Path.of(System.getProperty("user.dir"));
  }

  static Path script(String name) {
    return repoRoot().resolve("scripts").resolve(name);
  }

  /** Configuration names, from {@code make-test-images --list}. */
  static List<String> configs() {
    return Cmd.run(List.of(script("make-test-images").toString(), "--list"))
        .check()
        .out()
        .lines()
        .filter(l -> !l.isBlank())
        .toList();
  }

  /** Builds one configuration into dir; returns its image files in device order. */
  static List<Path> build(String config, Path dir) {
    Cmd.run(
            List.of(script("make-test-images").toString(), "--config", config, dir.toString()),
            repoRoot(),
            600)
        .check();
    try (Stream<Path> s = Files.list(dir)) {
      List<Path> images =
          s.filter(
                  p -> {
                    String n = p.getFileName().toString();
                    return n.equals(config + ".img")
                        || n.matches(java.util.regex.Pattern.quote(config) + "\\.dev\\d+\\.img");
                  })
              .sorted()
              .toList();
      if (images.isEmpty()) {
        throw new IllegalStateException(
            "make-test-images made no image for " + config + " in " + dir);
      }
      return images;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Devices that may be missing while every block stays readable (0: no redundancy). */
  static int toleratedMissingDevices(String config) {
    switch (config) {
      case "raid1":
      case "raid10":
      case "raid5":
        return 1;
      case "raid1c3":
      case "raid1c4":
      case "raid6":
        return 2;
      default:
        return 0;
    }
  }
}
