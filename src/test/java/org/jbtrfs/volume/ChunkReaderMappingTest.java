package org.jbtrfs.volume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hand-computed mapping examples, one or more per profile. K = 64 KiB stripe elements; chunk
 * logical start L = 1 GiB; device stripe offsets are distinct round numbers so a wrong stripe
 * choice shows up in the physical address.
 */
class ChunkReaderMappingTest {
  static final long K = 64 * 1024;
  static final long L = 1L << 30;
  static final long DATA = 1;

  static ChunkMapping chunk(RaidProfile p, int subStripes, long... devidOffsetPairs) {
    List<Stripe> s = new ArrayList<>();
    for (int i = 0; i < devidOffsetPairs.length; i += 2) {
      s.add(new Stripe(devidOffsetPairs[i], devidOffsetPairs[i + 1]));
    }
    return new ChunkMapping(L, 100 * K * s.size(), K, DATA | p.flag(), subStripes, s);
  }

  static List<String> reads(ChunkMapping c, long rel, int len, int mirror) throws IOException {
    RecordingSource src = new RecordingSource();
    ChunkReader.read(c, src, L + rel, new byte[len], 0, len, mirror);
    return src.reads;
  }

  @Test
  void profileTableAndFlags() {
    assertThat(RaidProfile.fromFlags(1)).isEqualTo(RaidProfile.SINGLE);
    assertThat(RaidProfile.fromFlags(4 | (1 << 5))).isEqualTo(RaidProfile.DUP);
    assertThat(RaidProfile.fromFlags(2 | (1 << 9))).isEqualTo(RaidProfile.RAID1C3);
    assertThat(RaidProfile.fromFlags(1 | (1 << 8))).isEqualTo(RaidProfile.RAID6);
    assertThat(RaidProfile.RAID10.displayName()).isEqualTo("raid10");
    assertThatThrownBy(() -> RaidProfile.fromFlags((1 << 3) | (1 << 4)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mirrorCounts() {
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.SINGLE, 1, 1, 0))).isEqualTo(1);
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.DUP, 1, 1, 0, 1, K))).isEqualTo(2);
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.RAID0, 1, 1, 0, 2, 0))).isEqualTo(1);
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.RAID1, 1, 1, 0, 2, 0))).isEqualTo(2);
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.RAID1C3, 1, 1, 0, 2, 0, 3, 0)))
        .isEqualTo(3);
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.RAID1C4, 1, 1, 0, 2, 0, 3, 0, 4, 0)))
        .isEqualTo(4);
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.RAID10, 2, 1, 0, 2, 0, 3, 0, 4, 0)))
        .isEqualTo(2);
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.RAID5, 1, 1, 0, 2, 0, 3, 0))).isEqualTo(2);
    assertThat(ChunkReader.numMirrors(chunk(RaidProfile.RAID6, 1, 1, 0, 2, 0, 3, 0))).isEqualTo(3);
  }

  @Test
  void single() throws IOException {
    ChunkMapping c = chunk(RaidProfile.SINGLE, 1, 7, 5_000_000);
    // No striping: physical = stripe offset + offset in chunk, even across elements.
    assertThat(reads(c, 3 * K + 10, 100, 0))
        .containsExactly("7@" + (5_000_000 + 3 * K + 10) + "+100");
  }

  @Test
  void dupSecondCopyIsTheSecondStripeOnTheSameDevice() throws IOException {
    ChunkMapping c = chunk(RaidProfile.DUP, 1, 1, 1_000_000, 1, 9_000_000);
    assertThat(reads(c, 5, 10, 0)).containsExactly("1@1000005+10");
    assertThat(reads(c, 5, 10, 1)).containsExactly("1@9000005+10");
  }

  @Test
  void raid0RoundRobin() throws IOException {
    ChunkMapping c = chunk(RaidProfile.RAID0, 1, 1, 0, 2, 10 * K, 3, 20 * K);
    // Element 4 -> stripe 4 % 3 = 1 (devid 2), row 4 / 3 = 1.
    assertThat(reads(c, 4 * K + 5, 10, 0)).containsExactly("2@" + (10 * K + K + 5) + "+10");
    // A read crossing elements 2 -> 3 splits: tail of element 2 on dev 3 row 0,
    // head of element 3 on dev 1 row 1.
    assertThat(reads(c, 3 * K - 4, 8, 0))
        .containsExactly("3@" + (20 * K + K - 4) + "+4", "1@" + K + "+4");
  }

  @Test
  void raid1CopiesSelectStripe() throws IOException {
    ChunkMapping c = chunk(RaidProfile.RAID1, 1, 4, 100 * K, 2, 300 * K);
    assertThat(reads(c, 7 * K + 1, 3, 0)).containsExactly("4@" + (107 * K + 1) + "+3");
    assertThat(reads(c, 7 * K + 1, 3, 1)).containsExactly("2@" + (307 * K + 1) + "+3");
  }

  @Test
  void raid1c3AndC4() throws IOException {
    ChunkMapping c3 = chunk(RaidProfile.RAID1C3, 1, 1, 0, 2, K, 3, 2 * K);
    assertThat(reads(c3, 9, 1, 2)).containsExactly("3@" + (2 * K + 9) + "+1");
    ChunkMapping c4 = chunk(RaidProfile.RAID1C4, 1, 1, 0, 2, K, 3, 2 * K, 4, 3 * K);
    assertThat(reads(c4, K, 1, 3)).containsExactly("4@" + (4 * K) + "+1");
  }

  @Test
  void raid10PairsStripeAcrossMirrorGroups() throws IOException {
    // 4 stripes = 2 mirror pairs {0,1} and {2,3}; element 3 -> pair 1, row 1.
    ChunkMapping c = chunk(RaidProfile.RAID10, 2, 1, 0, 2, 0, 3, 50 * K, 4, 60 * K);
    assertThat(reads(c, 3 * K + 2, 4, 0)).containsExactly("3@" + (51 * K + 2) + "+4");
    assertThat(reads(c, 3 * K + 2, 4, 1)).containsExactly("4@" + (61 * K + 2) + "+4");
    // Element 4 -> pair 0, row 2.
    assertThat(reads(c, 4 * K, 4, 1)).containsExactly("2@" + (2 * K) + "+4");
  }

  @Test
  void raid5RotatesDataByRow() throws IOException {
    // 3 stripes -> 2 data per row. Element 5 = row 2, data 1 -> stripe (2+1)%3 = 0.
    ChunkMapping c = chunk(RaidProfile.RAID5, 1, 1, 0, 2, 100 * K, 3, 200 * K);
    assertThat(reads(c, 5 * K + 7, 3, 0)).containsExactly("1@" + (2 * K + 7) + "+3");
    // Element 0 = row 0, data 0 -> stripe 0; element 1 -> stripe 1; P on stripe 2.
    assertThat(reads(c, K, 3, 0)).containsExactly("2@" + (100 * K) + "+3");
    // Mirror 1 rebuilds element 5 from data 0 of row 2 (stripe 2) and P (stripe 1).
    assertThat(reads(c, 5 * K + 7, 3, 1))
        .containsExactly("3@" + (202 * K + 7) + "+3", "2@" + (102 * K + 7) + "+3");
  }

  @Test
  void raid6PAndQFollowTheData() throws IOException {
    // 4 stripes -> 2 data. Row 1: data0 on stripe 1, data1 on stripe 2, P on 3, Q on 0.
    ChunkMapping c = chunk(RaidProfile.RAID6, 1, 1, 0, 2, 10 * K, 3, 20 * K, 4, 30 * K);
    assertThat(reads(c, 3 * K, 4, 0)).containsExactly("3@" + (21 * K) + "+4");
    // Mirror 1: other data (stripe 1) + P (stripe 3).
    assertThat(reads(c, 3 * K, 4, 1))
        .containsExactly("2@" + (11 * K) + "+4", "4@" + (31 * K) + "+4");
    // Mirror 2: other data + Q (stripe 0, devid 1), P untouched.
    assertThat(reads(c, 3 * K, 4, 2)).containsExactly("2@" + (11 * K) + "+4", "1@" + K + "+4");
  }

  @Test
  void missingDeviceOfChosenCopyFails() {
    ChunkMapping c = chunk(RaidProfile.RAID1, 1, 1, 0, 2, 0);
    RecordingSource src = new RecordingSource().missing(1);
    assertThatThrownBy(() -> ChunkReader.read(c, src, L, new byte[4], 0, 4, 0))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("device 1 missing");
  }

  @Test
  void raid5MirrorZeroRebuildsWhenDataDeviceIsAbsent() throws IOException {
    ChunkMapping c = chunk(RaidProfile.RAID5, 1, 1, 0, 2, 100 * K, 3, 200 * K);
    RecordingSource src = new RecordingSource().missing(1);
    ChunkReader.read(c, src, L, new byte[4], 0, 4, 0);
    // Row 0: data0 on devid 1 (absent) -> data1 on devid 2 plus P on devid 3.
    assertThat(src.reads).containsExactly("2@" + (100 * K) + "+4", "3@" + (200 * K) + "+4");
  }

  @Test
  void rangesOutsideTheChunkAreRejected() {
    ChunkMapping c = chunk(RaidProfile.SINGLE, 1, 1, 0);
    RecordingSource src = new RecordingSource();
    assertThatThrownBy(() -> ChunkReader.read(c, src, L - 1, new byte[4], 0, 4, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ChunkReader.read(c, src, L, new byte[4], 0, 4, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
