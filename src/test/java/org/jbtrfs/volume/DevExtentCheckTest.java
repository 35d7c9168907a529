package org.jbtrfs.volume;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.jbtrfs.format.FormatException;
import org.junit.jupiter.api.Test;

/**
 * The kernel's dev extent rules at mount: a consistent device tree passes, and each way one dev
 * extent can disagree with the chunks or the devices fails with the kernel's message.
 */
class DevExtentCheckTest {
  private static final long GIB = 1L << 30;
  private static final long MIB = 1L << 20;

  /** A RAID1 chunk of 64 MiB at 1 GiB on devids 1 and 2, a DUP chunk of 32 MiB at 2 GiB on 1. */
  private static ChunkMap chunks() throws FormatException {
    ChunkMap m = new ChunkMap();
    m.add(
        new ChunkMapping(
            GIB,
            64 * MIB,
            65536,
            1 | RaidProfile.RAID1.flag(),
            1,
            List.of(new Stripe(1, 100 * MIB), new Stripe(2, 100 * MIB))));
    m.add(
        new ChunkMapping(
            2 * GIB,
            32 * MIB,
            65536,
            4 | RaidProfile.DUP.flag(),
            1,
            List.of(new Stripe(1, 200 * MIB), new Stripe(1, 232 * MIB))));
    return m;
  }

  private static DevExtentCheck check() throws FormatException {
    return new DevExtentCheck(chunks(), Map.of(1L, GIB, 2L, GIB));
  }

  /** The device tree that matches chunks(), in key order. */
  private static void addAll(DevExtentCheck c) throws FormatException {
    c.add(1, 100 * MIB, 64 * MIB, GIB);
    c.add(1, 200 * MIB, 32 * MIB, 2 * GIB);
    c.add(1, 232 * MIB, 32 * MIB, 2 * GIB);
    c.add(2, 100 * MIB, 64 * MIB, GIB);
  }

  @Test
  void aConsistentDeviceTreePasses() {
    assertThatCode(
            () -> {
              DevExtentCheck c = check();
              addAll(c);
              c.finish();
            })
        .doesNotThrowAnyException();
  }

  @Test
  void aDevExtentOverlappingThePreviousOneFails() throws FormatException {
    DevExtentCheck c = check();
    c.add(1, 100 * MIB, 64 * MIB, GIB);
    assertThatThrownBy(() -> c.add(1, 150 * MIB, 32 * MIB, 2 * GIB))
        .hasMessageContaining("overlap with previous dev extent end");
  }

  @Test
  void aDevExtentOfNoChunkFails() throws FormatException {
    assertThatThrownBy(() -> check().add(1, 500 * MIB, 64 * MIB, 3 * GIB))
        .hasMessageContaining("doesn't have corresponding chunk");
  }

  @Test
  void aDevExtentOfTheWrongLengthFails() throws FormatException {
    assertThatThrownBy(() -> check().add(1, 100 * MIB, 32 * MIB, GIB))
        .hasMessageContaining("length doesn't match chunk");
  }

  @Test
  void aDevExtentBeyondTheDeviceFails() throws FormatException {
    DevExtentCheck c = new DevExtentCheck(chunks(), Map.of(1L, 120 * MIB, 2L, GIB));
    assertThatThrownBy(() -> c.add(1, 100 * MIB, 64 * MIB, GIB))
        .hasMessageContaining("is beyond device boundary");
  }

  @Test
  void aDevExtentOfAnUnknownDeviceFails() throws FormatException {
    DevExtentCheck c = new DevExtentCheck(chunks(), Map.of(1L, GIB));
    assertThatThrownBy(() -> c.add(2, 100 * MIB, 64 * MIB, GIB))
        .hasMessageContaining("failed to find devid 2");
  }

  @Test
  void aDevExtentAtNoStripeOfItsChunkFails() throws FormatException {
    assertThatThrownBy(() -> check().add(1, 300 * MIB, 64 * MIB, GIB))
        .hasMessageContaining("has no corresponding chunk");
  }

  @Test
  void aChunkStripeWithoutItsDevExtentFails() throws FormatException {
    DevExtentCheck c = check();
    c.add(1, 100 * MIB, 64 * MIB, GIB);
    c.add(1, 200 * MIB, 32 * MIB, 2 * GIB);
    c.add(1, 232 * MIB, 32 * MIB, 2 * GIB);
    assertThatThrownBy(c::finish)
        .hasMessageContaining("chunk " + GIB + " has missing dev extent, have 1 expect 2");
  }

  @Test
  void stripeLengthsFollowTheProfile() {
    long len = 96 * MIB;
    List<Stripe> three = List.of(new Stripe(1, 0), new Stripe(2, 0), new Stripe(3, 0));
    List<Stripe> four =
        List.of(new Stripe(1, 0), new Stripe(2, 0), new Stripe(3, 0), new Stripe(4, 0));
    assertStripe(len / 2, new ChunkMapping(0, len, 65536, RaidProfile.RAID5.flag(), 1, three));
    assertStripe(len, new ChunkMapping(0, len, 65536, RaidProfile.RAID1C3.flag(), 1, three));
    assertStripe(len / 2, new ChunkMapping(0, len, 65536, RaidProfile.RAID10.flag(), 2, four));
    assertStripe(len / 2, new ChunkMapping(0, len, 65536, RaidProfile.RAID6.flag(), 1, four));
    assertStripe(len / 4, new ChunkMapping(0, len, 65536, RaidProfile.RAID0.flag(), 1, four));
  }

  private static void assertStripe(long expected, ChunkMapping c) {
    org.assertj.core.api.Assertions.assertThat(DevExtentCheck.stripeLength(c)).isEqualTo(expected);
  }
}
