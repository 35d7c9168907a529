package org.jbtrfs.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.TreeBlock;
import org.junit.jupiter.api.Test;

/**
 * The seeds must reach the code behind the checks, or the fuzzer starts from inputs that are all
 * refused at the door and the targets test only the door: the committed image's tree blocks pass
 * the reader's checks as the tree block target sets them up, and decode.
 */
class FuzzSeedsTest {
  private static final Path SEEDS =
      Path.of("src/test/resources/org/jbtrfs/fuzz/TreeBlockFuzzTestInputs/readAndDecode");

  @Test
  void treeBlockSeedsPassTheCheckerAndDecode() throws IOException {
    List<String> refused = new ArrayList<>();
    int accepted = 0;
    List<Path> seeds;
    try (Stream<Path> s = Files.list(SEEDS)) {
      seeds = s.filter(p -> p.getFileName().toString().startsWith("seed-")).toList();
    }
    for (Path p : seeds) {
      byte[] raw = Files.readAllBytes(p);
      System.arraycopy(MemoryBlocks.FSID, 0, raw, TreeHeader.FSID, 16);
      Le.put64(raw, TreeHeader.BYTENR, MemoryBlocks.BASE);
      FuzzImage.rechecksum(ChecksumType.CRC32C, raw, 0, raw.length);
      MemoryBlocks mem = new MemoryBlocks();
      mem.put(MemoryBlocks.BASE, raw);
      try {
        TreeBlock b = mem.reader().read(MemoryBlocks.BASE, 0, -1);
        ItemDecoder.decodeAll(b);
        accepted++;
      } catch (IOException e) {
        refused.add(p.getFileName() + ": " + e.getMessage());
      }
    }
    assertThat(seeds).hasSizeGreaterThan(20);
    // Stale copies mkfs left behind may break a rule of the live filesystem; the live ones pass.
    assertThat(accepted).as("refused: %s", refused).isGreaterThan(seeds.size() * 3 / 4);
  }

  @Test
  void walkImageHasTreeBlocksOfEveryTree() {
    FuzzImage img = FuzzImage.committed();
    List<Long> owners = new ArrayList<>();
    for (long off : img.treeBlocks) {
      owners.add(Le.u64(img.bytes, (int) off + TreeHeader.OWNER));
    }
    // root, extent, chunk, dev, fs, csum and free space trees
    assertThat(owners).contains(1L, 2L, 3L, 4L, 5L, 7L, 10L);
  }
}
