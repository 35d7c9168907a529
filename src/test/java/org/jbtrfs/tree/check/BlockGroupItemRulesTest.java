package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.junit.jupiter.api.Test;

class BlockGroupItemRulesTest {
  private static final long RAID1 = 1L << 4;
  private static final long DUP = 1L << 5;

  private static byte[] group(long used, long flags) {
    byte[] b = new byte[BlockGroupItem.SIZE];
    Le.put64(b, BlockGroupItem.OFF_USED, used);
    Le.put64(b, BlockGroupItem.OFF_CHUNK_OBJECTID, ObjectIds.FIRST_CHUNK_TREE);
    Le.put64(b, BlockGroupItem.OFF_FLAGS, flags);
    return b;
  }

  private static byte[] leaf(long length, byte[] item) {
    return Fixture.leaf()
        .owner(2)
        .item(new Key(1 << 20, ItemType.BLOCK_GROUP_ITEM, length), item)
        .bytes();
  }

  @Test
  void acceptsEveryTypeWithOneProfile() {
    passes(leaf(8 << 20, group(8 << 20, BlockGroupItem.TYPE_DATA)));
    passes(leaf(8 << 20, group(0, BlockGroupItem.TYPE_METADATA | DUP)));
    passes(leaf(8 << 20, group(4096, BlockGroupItem.TYPE_SYSTEM | RAID1)));
    passes(leaf(8 << 20, group(4096, BlockGroupItem.TYPE_DATA | BlockGroupItem.TYPE_METADATA)));
  }

  @Test
  void rejectsUsedBeyondLengthAndEmptyGroup() {
    fails(
        leaf(8 << 20, group((8 << 20) + 4096, BlockGroupItem.TYPE_DATA)),
        "invalid block group used, have 8392704 expect [0, 8388608)");
    fails(leaf(0, group(0, BlockGroupItem.TYPE_DATA)), "invalid block group size 0");
  }

  @Test
  void rejectsTwoProfilesOrABadType() {
    fails(
        leaf(8 << 20, group(0, BlockGroupItem.TYPE_DATA | RAID1 | DUP)),
        "invalid profile flags, have 0x30 (2 bits set) expect no more than 1 bit set");
    fails(
        leaf(8 << 20, group(0, BlockGroupItem.TYPE_DATA | BlockGroupItem.TYPE_SYSTEM)),
        "invalid type, have 0x3 (2 bits set)");
    fails(leaf(8 << 20, group(0, RAID1)), "invalid type, have 0x0");
  }

  @Test
  void rejectsWrongSizeOrChunkObjectid() {
    fails(leaf(8 << 20, new byte[32]), "invalid item size, have 32 expect 24");
    byte[] raw = leaf(8 << 20, group(0, BlockGroupItem.TYPE_DATA));
    Le.put64(raw, data(raw, 0) + BlockGroupItem.OFF_CHUNK_OBJECTID, 3);
    fails(raw, "invalid block group chunk objectid, have 3 expect 256");
  }
}
