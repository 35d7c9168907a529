package org.jbtrfs.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a checksum failure reports as the bad bytes' device and offset must be where the reader
 * really read them: for every profile and copy, the placements StripeLocator gives for a range are
 * exactly the device reads ChunkReader makes for it with every device present (mirror 0 of RAID5/6
 * is the direct read of the data strips).
 */
class StripeLocatorTest {
  private static final long K = ChunkReaderMappingTest.K;
  private static final long L = ChunkReaderMappingTest.L;

  private static ChunkMapping chunk(RaidProfile p, int sub, long... pairs) {
    return ChunkReaderMappingTest.chunk(p, sub, pairs);
  }

  private static List<String> located(ChunkMapping c, long rel, int len, int mirror)
      throws IOException {
    List<String> out = new ArrayList<>();
    for (Placement p : StripeLocator.locate(c, L + rel, len, mirror))
      out.add(p.devid() + "@" + p.physical() + "+" + p.len());
    return out;
  }

  @Test
  void placementsAreTheDeviceReadsOfEveryProfile() throws IOException {
    List<ChunkMapping> chunks =
        List.of(
            chunk(RaidProfile.SINGLE, 1, 7, 5_000_000),
            chunk(RaidProfile.DUP, 1, 1, 1_000_000, 1, 9_000_000),
            chunk(RaidProfile.RAID0, 1, 1, 0, 2, 10 * K, 3, 20 * K),
            chunk(RaidProfile.RAID1, 1, 1, 0, 2, 30 * K),
            chunk(RaidProfile.RAID1C3, 1, 1, 0, 2, 30 * K, 3, 60 * K),
            chunk(RaidProfile.RAID10, 2, 1, 0, 2, 10 * K, 3, 20 * K, 4, 30 * K),
            chunk(RaidProfile.RAID5, 1, 1, 0, 2, 10 * K, 3, 20 * K),
            chunk(RaidProfile.RAID6, 1, 1, 0, 2, 10 * K, 3, 20 * K, 4, 30 * K, 5, 40 * K));
    long[][] ranges = {{0, 4096}, {K - 100, 300}, {5 * K + 4096, 4096}, {7 * K - 4096, 3 * K}};
    for (ChunkMapping c : chunks) {
      int direct = c.profile().hasParity() ? 1 : ChunkReader.numMirrors(c);
      for (long[] r : ranges) {
        for (int m = 0; m < direct; m++) {
          assertThat(located(c, r[0], (int) r[1], m))
              .as(c.profile() + " copy " + m + " of +" + r[0] + "+" + r[1])
              .isEqualTo(ChunkReaderMappingTest.reads(c, r[0], (int) r[1], m));
        }
      }
    }
  }

  @Test
  void parityRebuildsNameTheDataStripTheyRebuild() throws IOException {
    ChunkMapping c = chunk(RaidProfile.RAID6, 1, 1, 0, 2, 10 * K, 3, 20 * K, 4, 30 * K);
    // Element 5: row 2, data column 1: stripe (2 + 1) % 4 = 3 (devid 4), 2 elements down.
    List<String> want = List.of("4@" + (30 * K + 2 * K + 16) + "+4096");
    for (int m = 0; m < 3; m++) assertThat(located(c, 5 * K + 16, 4096, m)).isEqualTo(want);
  }
}
