package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.ObjectIds;
import org.junit.jupiter.api.Test;

class CsumItemRulesTest {
  private static final long CSUM = ObjectIds.EXTENT_CSUM;

  @Test
  void acceptsAdjacentRuns() {
    // Two checksums (8 bytes of crc32c) cover 8 KiB; the next run starts right after.
    passes(
        Fixture.leaf()
            .owner(ObjectIds.CSUM_TREE)
            .item(CSUM, ItemType.EXTENT_CSUM, 1 << 20, 8)
            .item(CSUM, ItemType.EXTENT_CSUM, (1 << 20) + 8192, 4)
            .bytes());
  }

  @Test
  void rejectsWrongObjectidUnalignedOffsetOrPartialChecksum() {
    fails(
        Fixture.leaf().item(5, ItemType.EXTENT_CSUM, 1 << 20, 8).bytes(),
        "invalid key objectid for csum item, have 5 expect 18446744073709551606");
    fails(
        Fixture.leaf().item(CSUM, ItemType.EXTENT_CSUM, (1 << 20) + 512, 8).bytes(),
        "unaligned key offset for csum item, have 1049088 should be aligned to 4096");
    fails(
        Fixture.leaf().item(CSUM, ItemType.EXTENT_CSUM, 1 << 20, 6).bytes(),
        "unaligned item size for csum item, have 6 should be aligned to 4");
  }

  @Test
  void rejectsOverlappingRuns() {
    byte[] raw =
        Fixture.leaf()
            .item(CSUM, ItemType.EXTENT_CSUM, 1 << 20, 12)
            .item(CSUM, ItemType.EXTENT_CSUM, (1 << 20) + 8192, 4)
            .bytes();
    fails(
        raw,
        "csum end range (1060864) goes beyond the start range (1056768) of the next csum item");
  }
}
