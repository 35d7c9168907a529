package org.jbtrfs.tree.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import org.jbtrfs.format.FreeSpaceInfo;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.junit.jupiter.api.Test;

/** The free space tree's three item types, and the uuid tree's items. */
class FreeSpaceAndUuidRulesTest {
  private static final long BG = 1 << 22;
  private static final long LEN = 8 << 20; // 2048 sectors

  private static byte[] info(long count, long flags) {
    byte[] b = new byte[FreeSpaceInfo.SIZE];
    Le.put32(b, FreeSpaceInfo.OFF_EXTENT_COUNT, count);
    Le.put32(b, FreeSpaceInfo.OFF_FLAGS, flags);
    return b;
  }

  private static byte[] extents() {
    return Fixture.leaf()
        .owner(ObjectIds.FREE_SPACE_TREE)
        .item(new Key(BG, ItemType.FREE_SPACE_INFO, LEN), info(1, 0))
        .item(BG + 4096, ItemType.FREE_SPACE_EXTENT, LEN - 4096, 0)
        .item(new Key(3 * BG, ItemType.FREE_SPACE_INFO, LEN), info(1, 1))
        .item(3 * BG, ItemType.FREE_SPACE_BITMAP, LEN, 256)
        .bytes();
  }

  @Test
  void acceptsExtentAndBitmapGroups() {
    passes(extents());
  }

  @Test
  void rejectsBadInfo() {
    byte[] flags = extents();
    Le.put32(flags, data(flags, 0) + FreeSpaceInfo.OFF_FLAGS, 2);
    fails(flags, "unknown flags for free space info, has 0x2 valid mask 0x1");
    byte[] count = extents();
    Le.put32(count, data(count, 0) + FreeSpaceInfo.OFF_EXTENT_COUNT, 2049);
    fails(count, "suspicious extent count, has 2049 max valid 2048");
    fails(
        Fixture.leaf().item(BG, ItemType.FREE_SPACE_INFO, LEN, 12).bytes(),
        "invalid item size for free space info, has 12 expect 8");
    fails(
        Fixture.leaf().item(new Key(BG + 1, ItemType.FREE_SPACE_INFO, LEN), info(0, 0)).bytes(),
        "free space key is not aligned to 4096");
  }

  @Test
  void aReadOnlyMountTakesTheFreeSpaceTreeAsItIs() {
    // The kernel reads such a tree (fsck-tests/058); only a writer would build on it.
    byte[] unaligned =
        Fixture.leaf().item(new Key(BG + 1, ItemType.FREE_SPACE_INFO, LEN), info(0, 0)).bytes();
    Fixture.passes(
        unaligned, Fixture.ctx(org.jbtrfs.format.FeatureFlags.INCOMPAT_SKINNY_METADATA, true));
    fails(unaligned, "free space key is not aligned to 4096");
  }

  @Test
  void rejectsBadExtentsAndBitmaps() {
    fails(
        Fixture.leaf().item(BG, ItemType.FREE_SPACE_EXTENT, 4096, 4).bytes(),
        "invalid item size for FREE_SPACE_EXTENT, has 4 expect 0");
    fails(
        Fixture.leaf().item(BG, ItemType.FREE_SPACE_EXTENT, 0, 0).bytes(),
        "invalid free space range length 0");
    fails(
        Fixture.leaf().item(BG, ItemType.FREE_SPACE_BITMAP, LEN, 255).bytes(),
        "invalid item size for FREE_SPACE_BITMAP, has 255 expect 256");
    fails(
        Fixture.leaf().item(BG, ItemType.FREE_SPACE_EXTENT, 100, 0).bytes(),
        "free space key is not aligned to 4096");
  }

  @Test
  void onlyWarnsAboutBadUuidAndQgroupItems() {
    // The kernel logs "uuid item with illegal size" and ignores the entry; the block stays usable.
    byte[] uuid =
        Fixture.leaf()
            .owner(ObjectIds.UUID_TREE)
            .item(1, ItemType.UUID_KEY_SUBVOL, 2, 8)
            .item(1, ItemType.UUID_KEY_SUBVOL, 3, 12)
            .item(1, ItemType.UUID_KEY_RECEIVED_SUBVOL, 2, 0)
            .bytes();
    assertThat(Fixture.warnings(uuid))
        .hasSize(2)
        .allMatch(w -> w.contains("uuid item with illegal size"))
        .anyMatch(w -> w.contains("slot=1") && w.contains("size 12"));
    byte[] quota =
        Fixture.leaf()
            .owner(ObjectIds.QUOTA_TREE)
            .item(0, ItemType.QGROUP_STATUS, 0, 32)
            .item(0, ItemType.QGROUP_INFO, 5, 40)
            .item(0, ItemType.QGROUP_INFO, 256, 39)
            .item(0, ItemType.QGROUP_LIMIT, 5, 40)
            .item(5, ItemType.QGROUP_RELATION, 1L << 48, 0)
            .bytes();
    assertThat(Fixture.warnings(quota))
        .containsExactly(
            "corrupt leaf: root=8 block="
                + Fixture.BYTENR
                + " slot=2 key=(0 QGROUP_INFO 256), qgroup item size 39, expect 40");
  }
}
