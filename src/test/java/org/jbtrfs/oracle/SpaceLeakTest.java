package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Everything jbtrfs allocates it must give back: put ~1,300 files and 190+ MiB (large files split
 * into several 128 MiB-bounded extents, forcing a new data chunk), spread over several commits,
 * then delete it all. Data used bytes must return exactly to the starting figure and metadata to
 * within a few nodes (the trees may end up shaped differently, e.g. a root that grew a level keeps
 * it). btrfs check then verifies extent refs, the free space tree and block group accounting
 * against each other.
 */
class SpaceLeakTest {
  /** Metadata tolerance in nodes; the node size is 16K (mkfs default). */
  private static final int NODE_SLACK = 8;

  private static final int NODE_SIZE = 16384;

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  @Test
  void deletingEverythingFreesEverything(@TempDir Path tmp) throws IOException {
    long t0 = System.nanoTime();
    Path src = Files.createDirectory(tmp.resolve("src"));
    Path img = ImageFiles.mkfs(tmp, "img", 1536L << 20);
    try {
      ImageFiles.copyShare(src, List.of("zoneinfo"));
      Path big = Files.createDirectory(src.resolve("big"));
      ImageFiles.randomFile(
          big.resolve("a"), (150L << 20) + 4321, 11); // two extents: 128 MiB + rest
      ImageFiles.randomFile(big.resolve("b"), 40L << 20, 12);
      ImageFiles.randomFile(big.resolve("c"), 5_000_001, 13);
      long files = ImageFiles.count(src);
      long bytes = ImageFiles.bytes(src);

      BlockGroupUsage before = BlockGroupUsage.of(img);
      JbtrfsCli.run("put", img.toString(), src.toString(), "/put", "--commit-every", "300");
      BlockGroupUsage full = BlockGroupUsage.of(img);
      BtrfsCheck.assertClean(img, "after put");
      JbtrfsCli.run("rm", "-r", img.toString(), "/put");
      BlockGroupUsage after = BlockGroupUsage.of(img);
      String figures =
          String.format(
              "put %d entries / %d bytes; before: %s; after put: %s; after rm: %s",
              files, bytes, before, full, after);
      System.out.println("SpaceLeakTest: " + figures);

      assertTrue(
          full.data() - before.data() >= bytes - 4096L * files,
          "put did not account its data: " + figures);
      assertTrue(
          full.groups() > before.groups(), "expected a chunk allocation during put: " + figures);
      assertEquals(before.data(), after.data(), "data used bytes did not return: " + figures);
      // Block group "used" is logical: a DUP node counts once.
      assertTrue(
          Math.abs(after.metadata() - before.metadata()) <= (long) NODE_SLACK * NODE_SIZE,
          "metadata used bytes moved by more than " + NODE_SLACK + " nodes: " + figures);
      for (BlockGroupUsage u : List.of(before, full, after)) {
        assertEquals(
            u.total(),
            u.superBytesUsed(),
            "superblock bytes_used disagrees with block groups: " + figures);
      }
      BtrfsCheck.assertClean(img, "after deleting everything");
      System.out.printf("SpaceLeakTest passed in %d s%n", (System.nanoTime() - t0) / 1_000_000_000);
    } finally {
      ImageFiles.deleteQuietly(img);
      ImageFiles.deleteQuietly(src);
    }
  }
}
