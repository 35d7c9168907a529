package org.jbtrfs.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Ground truth from the kernel: the real btrfs driver writes a file on a fresh multi-device
 * filesystem; ChunkReader must then read the file's extents (and the root/chunk tree blocks) back
 * from the raw images through every mirror, and again with devices hidden.
 */
class KernelOracleTest {
  static final int FILE_SIZE = 3 * 1024 * 1024 + 5000;

  /** btrfs tree block header: csum[32], fsid[16], then the block's own logical bytenr. */
  static final int HEADER_BYTENR_OFFSET = 48;

  @BeforeAll
  static void requireEnvironment() throws IOException {
    String why = null;
    if (!Shell.run("id", "-u").trim().equals("0")) {
      why = "not root";
    } else if (Shell.which("mkfs.btrfs") == null || Shell.which("btrfs") == null) {
      why = "btrfs-progs (mkfs.btrfs/btrfs) not installed";
    } else if (Shell.which("losetup") == null || !Files.exists(Path.of("/dev/loop-control"))) {
      why = "no loop device support";
    } else if (!Files.readString(Path.of("/proc/filesystems")).contains("btrfs")) {
      why = "kernel has no btrfs support loaded";
    }
    if (why != null) {
      System.out.println("KernelOracleTest skipped: " + why);
      Assumptions.abort(why);
    }
  }

  @ParameterizedTest(name = "{0} on {1} devices")
  @CsvSource({
    "single,1",
    "dup,1",
    "raid0,4",
    "raid1,4",
    "raid1c3,4",
    "raid1c4,4",
    "raid10,4",
    "raid5,3",
    "raid5,4",
    "raid6,4",
    "raid6,5"
  })
  void readsWhatTheKernelWrote(String profileName, int devices) throws IOException {
    byte[] content = new byte[FILE_SIZE];
    new Random(profileName.hashCode() * 31L + devices).nextBytes(content);
    RaidProfile profile = RaidProfile.valueOf(profileName.toUpperCase());
    try (ScratchBtrfs fs = new ScratchBtrfs(devices, "300M")) {
      fs.mkfs(profileName, profileName);
      fs.writeFile("f", content);
      String dev0 = fs.loops.get(0);
      List<ChunkMapping> chunks =
          DumpTreeParser.chunks(
              Shell.run(
                  Shell.which("btrfs"), "inspect-internal", "dump-tree", "-t", "chunk", dev0));
      List<DumpTreeParser.FileExtent> extents =
          DumpTreeParser.regularExtents(
              Shell.run(Shell.which("btrfs"), "inspect-internal", "dump-tree", "-t", "5", dev0));
      String sup = Shell.run(Shell.which("btrfs"), "inspect-internal", "dump-super", dev0);
      long[] treeRoots = {
        DumpTreeParser.superField(sup, "root"), DumpTreeParser.superField(sup, "chunk_root")
      };
      int nodesize = (int) DumpTreeParser.superField(sup, "nodesize");

      try (ImageSource src = new ImageSource()) {
        List<Long> devids = new ArrayList<>();
        for (Path img : fs.images) {
          // mkfs numbers devices in argument order; dump-super confirms it.
          long devid =
              DumpTreeParser.superField(
                  Shell.run(Shell.which("btrfs"), "inspect-internal", "dump-super", img.toString()),
                  "dev_item.devid");
          assertThat(devid).isEqualTo(devids.size() + 1L);
          src.add(devid, img);
          devids.add(devid);
        }
        assertThat(extents).isNotEmpty();
        for (ChunkMapping c : chunks) {
          assertThat(c.profile()).as("chunk %d", c.logical()).isEqualTo(profile);
          assertThat(c.stripeLen()).isEqualTo(64 * 1024);
        }
        ChunkMapping dataChunk = chunkOf(chunks, extents.get(0).diskBytenr());
        int mirrors = ChunkReader.numMirrors(dataChunk);

        // Every mirror must give the exact bytes when all devices are present.
        for (int m = 0; m < mirrors; m++) {
          assertThat(Arrays.mismatch(readFile(chunks, extents, src, m), content))
              .as("first wrong file byte via mirror %d", m)
              .isEqualTo(-1);
          for (long root : treeRoots) {
            assertThat(readTreeBlockBytenr(chunks, src, root, nodesize, m))
                .as("tree block %d mirror %d", root, m)
                .isEqualTo(root);
          }
        }

        int sets = 0;
        for (Set<Long> gone : subsets(devids, profile.toleratedFailures())) {
          src.hidden.clear();
          src.hidden.addAll(gone);
          assertThat(readAnyMirror(chunks, extents, src, content))
              .as("degraded without %s", gone)
              .isTrue();
          for (long root : treeRoots) {
            assertThat(anyMirrorTreeBlock(chunks, src, root, nodesize))
                .as("tree block %d without %s", root, gone)
                .isTrue();
          }
          sets++;
        }
        src.hidden.clear();
        System.out.printf(
            "ORACLE %-7s %d devs: %d chunks, data chunk %s stripes=%d "
                + "sub_stripes=%d, %d extent(s) %d bytes, %d mirrors exact, "
                + "%d degraded device sets (up to %d missing) all readable%n",
            profileName,
            devices,
            chunks.size(),
            dataChunk.logical(),
            dataChunk.numStripes(),
            dataChunk.subStripes(),
            extents.size(),
            extents.stream().mapToLong(DumpTreeParser.FileExtent::numBytes).sum(),
            mirrors,
            sets,
            profile.toleratedFailures());
      }
    }
  }

  private static ChunkMapping chunkOf(List<ChunkMapping> chunks, long logical) {
    return chunks.stream()
        .filter(c -> logical >= c.logical() && logical < c.end())
        .findFirst()
        .orElseThrow(() -> new AssertionError("no chunk holds " + logical));
  }

  /** Reassembles the file from its extents, reading each through the given mirror. */
  private static byte[] readFile(
      List<ChunkMapping> chunks,
      List<DumpTreeParser.FileExtent> extents,
      BlockSource src,
      int mirror)
      throws IOException {
    byte[] out = new byte[FILE_SIZE];
    for (DumpTreeParser.FileExtent e : extents) {
      int len = (int) Math.min(e.numBytes(), FILE_SIZE - e.fileOffset());
      long logical = e.diskBytenr() + e.offset();
      ChunkReader.read(
          chunkOf(chunks, logical), src, logical, out, (int) e.fileOffset(), len, mirror);
    }
    return out;
  }

  /**
   * What a caller does when devices are missing: per extent, try mirrors in order. Every mirror
   * must either refuse with IOException or return exact bytes; one must succeed.
   */
  private static boolean readAnyMirror(
      List<ChunkMapping> chunks,
      List<DumpTreeParser.FileExtent> extents,
      BlockSource src,
      byte[] content)
      throws IOException {
    for (DumpTreeParser.FileExtent e : extents) {
      int len = (int) Math.min(e.numBytes(), FILE_SIZE - e.fileOffset());
      long logical = e.diskBytenr() + e.offset();
      ChunkMapping c = chunkOf(chunks, logical);
      byte[] want = Arrays.copyOfRange(content, (int) e.fileOffset(), (int) e.fileOffset() + len);
      boolean ok = false;
      for (int m = 0; m < ChunkReader.numMirrors(c); m++) {
        byte[] got = new byte[len];
        try {
          ChunkReader.read(c, src, logical, got, 0, len, m);
        } catch (IOException refused) {
          continue;
        }
        assertThat(Arrays.mismatch(got, want))
            .as("first wrong byte of extent at %d via mirror %d", logical, m)
            .isEqualTo(-1);
        ok = true;
      }
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static long readTreeBlockBytenr(
      List<ChunkMapping> chunks, BlockSource src, long logical, int nodesize, int mirror)
      throws IOException {
    byte[] block = new byte[nodesize];
    ChunkReader.read(chunkOf(chunks, logical), src, logical, block, 0, nodesize, mirror);
    return ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN).getLong(HEADER_BYTENR_OFFSET);
  }

  private static boolean anyMirrorTreeBlock(
      List<ChunkMapping> chunks, BlockSource src, long logical, int nodesize) throws IOException {
    boolean ok = false;
    for (int m = 0; m < ChunkReader.numMirrors(chunkOf(chunks, logical)); m++) {
      try {
        assertThat(readTreeBlockBytenr(chunks, src, logical, nodesize, m)).isEqualTo(logical);
        ok = true;
      } catch (IOException refused) {
        // this copy lives on a hidden device; the next mirror may not
      }
    }
    return ok;
  }

  /** All non-empty subsets of at most maxSize devids. */
  private static List<Set<Long>> subsets(List<Long> devids, int maxSize) {
    List<Set<Long>> out = new ArrayList<>();
    for (int mask = 1; mask < (1 << devids.size()); mask++) {
      if (Integer.bitCount(mask) <= maxSize) {
        Set<Long> s = new HashSet<>();
        for (int i = 0; i < devids.size(); i++) {
          if ((mask & (1 << i)) != 0) {
            s.add(devids.get(i));
          }
        }
        out.add(s);
      }
    }
    return out;
  }
}
