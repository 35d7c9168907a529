package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.junit.jupiter.api.Test;

/**
 * The same hostile images as HostileImageWalkTest, opened and walked in this JVM through the
 * Filesystem API (FsWalk: every listing, inode, xattr, symlink and file), without FUSE or a daemon:
 * cheap, and a failure comes with its stack trace. Each image must open or be refused with an
 * IOException, and walk with IOExceptions only, in a time limit; any other exception (an index out
 * of bounds, an overflow, an out-of-memory) is a bug a hostile image found.
 */
class HostileImageOfflineWalkTest {
  private static final Duration LIMIT = Duration.ofSeconds(30);

  @Test
  void everyImageOpensOrIsRefusedAndWalksWithIoExceptionsOnly() {
    List<HostileImages.Image> images = HostileImages.shared();
    Map<String, Integer> outcomes = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    // Hundreds of checksum and corruption reports are the expected result here, not news.
    java.util.logging.Logger jbtrfs = java.util.logging.Logger.getLogger("org.jbtrfs");
    java.util.logging.Level before = jbtrfs.getLevel();
    jbtrfs.setLevel(java.util.logging.Level.OFF);
    try {
      walkEach(images, outcomes, failures);
    } finally {
      jbtrfs.setLevel(before);
    }
    System.out.println("offline walk of " + images.size() + " hostile images: " + outcomes);
    assertTrue(failures.isEmpty(), "hostile images broke the Filesystem API:\n" + failures);
  }

  private static void walkEach(
      List<HostileImages.Image> images, Map<String, Integer> outcomes, List<String> failures) {
    for (HostileImages.Image image : images) {
      try {
        String outcome = assertTimeoutPreemptively(LIMIT, () -> openAndWalk(image), image.name());
        outcomes.merge(outcome, 1, Integer::sum);
      } catch (Throwable t) {
        failures.add(image.name() + ": " + t);
        t.printStackTrace();
      }
    }
  }

  private static String openAndWalk(HostileImages.Image image) {
    try (Filesystem fs = Filesystem.open(List.of(image.path()), MountOptions.readOnlyDefaults())) {
      FsWalk w = FsWalk.of(fs);
      return w.ioErrors == 0 ? "clean walk" : "walk with IO errors";
    } catch (IOException e) {
      return "open refused";
    }
  }
}
