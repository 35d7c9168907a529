package org.jbtrfs.space;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The kernel's should-allocate rule per force level. */
class ChunkForceTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  @Test
  void withoutForceOnlyMostlyUsedChunksGetCompany() {
    assertThat(ChunkForce.NO_FORCE.worthAllocating(GiB, GiB / 2, 100 * GiB)).isFalse();
    assertThat(ChunkForce.NO_FORCE.worthAllocating(GiB, GiB / 100 * 80, 100 * GiB)).isTrue();
    // 2 MiB short of 80% counts as there.
    assertThat(ChunkForce.NO_FORCE.worthAllocating(100 * MiB, 78 * MiB, 100 * GiB)).isTrue();
    assertThat(ChunkForce.NO_FORCE.worthAllocating(100 * MiB, 77 * MiB, 100 * GiB)).isFalse();
  }

  @Test
  void limitedKeepsAboutOnePercentOfTheFilesystemFree() {
    // 1% of 100 GiB is 1 GiB: 512 MiB free in the type is too little.
    assertThat(ChunkForce.LIMITED.worthAllocating(2 * GiB, 2 * GiB - 512 * MiB, 100 * GiB))
        .isTrue();
    assertThat(ChunkForce.LIMITED.worthAllocating(4 * GiB, GiB, 100 * GiB)).isFalse();
    // Small filesystems: at least 64 MiB.
    assertThat(ChunkForce.LIMITED.worthAllocating(256 * MiB, 200 * MiB, GiB)).isTrue();
  }

  @Test
  void forceAlwaysAllocates() {
    assertThat(ChunkForce.FORCE.worthAllocating(GiB, 0, 100 * GiB)).isTrue();
  }
}
