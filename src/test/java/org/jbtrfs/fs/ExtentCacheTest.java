package org.jbtrfs.fs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reused disk space must never serve a freed extent's decompressed bytes. */
class ExtentCacheTest {
  @Test
  void forgetsEveryEntryOverlappingANewExtent() {
    ExtentCache c = new ExtentCache(1 << 20);
    c.put(4096, 8192, new byte[] {1}); // [4096, 12288)
    c.put(12288, 4096, new byte[] {2}); // [12288, 16384)
    c.put(65536, 4096, new byte[] {3});
    c.forget(8192, 8192); // overlaps the first (from below) and the second
    assertThat(c.get(4096)).isNull();
    assertThat(c.get(12288)).isNull();
    assertThat(c.get(65536)).containsExactly(3);
  }

  @Test
  void keepsNeighboursThatOnlyTouch() {
    ExtentCache c = new ExtentCache(1 << 20);
    c.put(0, 4096, new byte[] {1});
    c.put(8192, 4096, new byte[] {2});
    c.forget(4096, 4096);
    assertThat(c.get(0)).containsExactly(1);
    assertThat(c.get(8192)).containsExactly(2);
  }

  @Test
  void evictsOldestBeyondCapacity() {
    ExtentCache c = new ExtentCache(400);
    c.put(0, 4096, new byte[100]);
    c.put(4096, 4096, new byte[100]);
    c.put(8192, 4096, new byte[100]);
    c.put(12288, 4096, new byte[100]);
    c.put(16384, 4096, new byte[100]);
    assertThat(c.get(0)).isNull();
    assertThat(c.get(16384)).isNotNull();
    c.forget(0, 1 << 20);
    assertThat(c.get(16384)).isNull();
  }
}
