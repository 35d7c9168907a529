package org.jbtrfs.volume;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.jbtrfs.format.FormatException;
import org.junit.jupiter.api.Test;

/**
 * Chunks that would only fail on first read (IllegalArgumentException from the stripe geometry,
 * overflowing end addresses) are refused when the chunk map is loaded, as FormatException.
 */
class ChunkMapValidationTest {
  private static final long DATA = 1;

  private static ChunkMapping chunk(long logical, long length, RaidProfile p, int stripes) {
    List<Stripe> s = new java.util.ArrayList<>();
    for (int i = 0; i < stripes; i++) s.add(new Stripe(1, (i + 1L) << 30));
    return new ChunkMapping(logical, length, 65536, DATA | p.flag(), 1, s);
  }

  @Test
  void acceptsConsistentChunks() {
    assertThatCode(() -> new ChunkMap().add(chunk(1L << 30, 8L << 20, RaidProfile.DUP, 2)))
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsStripeCountsTheProfileCannotHave() {
    assertThatThrownBy(() -> new ChunkMap().add(chunk(1L << 30, 8L << 20, RaidProfile.DUP, 1)))
        .isExactlyInstanceOf(FormatException.class);
    assertThatThrownBy(() -> new ChunkMap().add(chunk(1L << 30, 8L << 20, RaidProfile.RAID6, 2)))
        .isExactlyInstanceOf(FormatException.class);
  }

  @Test
  void rejectsLengthsThatOverflowTheAddressSpace() {
    assertThatThrownBy(
            () -> new ChunkMap().add(chunk(Long.MAX_VALUE - 10, 8L << 20, RaidProfile.SINGLE, 1)))
        .isExactlyInstanceOf(FormatException.class);
    assertThatThrownBy(() -> new ChunkMap().add(chunk(1L << 30, -1L, RaidProfile.SINGLE, 1)))
        .isExactlyInstanceOf(FormatException.class);
    assertThatThrownBy(
            () -> new ChunkMap().add(chunk(-(1L << 30), 8L << 20, RaidProfile.SINGLE, 1)))
        .isExactlyInstanceOf(FormatException.class);
  }
}
