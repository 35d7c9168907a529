package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.junit.jupiter.api.Test;

class ChunkItemRulesTest {
  private static final long RAID1 = 1L << 4;
  private static final long DUP = 1L << 5;
  private static final long RAID10 = 1L << 6;
  private static final long RAID5 = 1L << 7;
  private static final long RAID6 = 1L << 8;

  static byte[] chunk(long length, long type, int stripes, int subStripes) {
    byte[] b = new byte[ChunkItem.sizeFor(stripes)];
    Le.put64(b, ChunkItem.OFF_LENGTH, length);
    Le.put64(b, 8, ObjectIds.EXTENT_TREE);
    Le.put64(b, ChunkItem.OFF_STRIPE_LEN, ChunkItem.STRIPE_LEN);
    Le.put64(b, ChunkItem.OFF_TYPE, type);
    Le.put32(b, 32, Fixture.SECTOR);
    Le.put32(b, 36, Fixture.SECTOR);
    Le.put32(b, ChunkItem.OFF_SECTOR_SIZE, Fixture.SECTOR);
    Le.put16(b, ChunkItem.OFF_NUM_STRIPES, stripes);
    Le.put16(b, ChunkItem.OFF_SUB_STRIPES, subStripes);
    for (int i = 0; i < stripes; i++) {
      int s = ChunkItem.HEADER_SIZE + i * ChunkItem.STRIPE_SIZE;
      Le.put64(b, s, i + 1);
      Le.put64(b, s + 8, (1L << 20) * (i + 1));
    }
    return b;
  }

  private static byte[] leaf(long logical, byte[] item) {
    return Fixture.leaf()
        .owner(ObjectIds.CHUNK_TREE)
        .item(new Key(ObjectIds.FIRST_CHUNK_TREE, ItemType.CHUNK_ITEM, logical), item)
        .bytes();
  }

  private static byte[] data(long type, int stripes, int sub) {
    return leaf(1 << 22, chunk(8 << 20, BlockGroupItem.TYPE_DATA | type, stripes, sub));
  }

  @Test
  void acceptsEveryProfileWithItsStripeCount() {
    passes(data(0, 1, 1));
    passes(data(DUP, 2, 1));
    passes(data(RAID1, 2, 1));
    passes(data(1L << 9, 3, 1));
    passes(data(1L << 10, 4, 1));
    passes(data(1L << 3, 3, 1));
    passes(data(RAID10, 4, 2));
    passes(data(RAID5, 2, 1));
    passes(data(RAID6, 5, 1));
    passes(leaf(1 << 22, chunk(8 << 20, BlockGroupItem.TYPE_SYSTEM | DUP, 2, 1)));
  }

  @Test
  void rejectsStripeCountsTheProfileDoesNotAllow() {
    fails(data(0, 2, 1), "invalid num_stripes:sub_stripes 2:1 for profile 0");
    fails(data(DUP, 3, 1), "invalid num_stripes:sub_stripes 3:1 for profile 32");
    fails(data(RAID1, 3, 1), "invalid num_stripes:sub_stripes 3:1 for profile 16");
    fails(data(RAID10, 4, 1), "invalid num_stripes:sub_stripes 4:1 for profile 64");
    fails(data(RAID1, 1, 1), "invalid chunk num_stripes < ncopies, have 1 < 2");
    fails(data(RAID6, 2, 1), "invalid chunk num_stripes == nparity, have 2 == 2");
  }

  @Test
  void rejectsNoStripesOrAnItemNotSizedForThem() {
    byte[] none = data(0, 1, 1);
    Le.put16(none, Fixture.data(none, 0) + ChunkItem.OFF_NUM_STRIPES, 0);
    fails(none, "invalid chunk num_stripes, have 0");
    byte[] more = data(0, 1, 1);
    Le.put16(more, Fixture.data(more, 0) + ChunkItem.OFF_NUM_STRIPES, 2);
    fails(more, "invalid chunk item size: have 80 expect 112");
    fails(leaf(1 << 22, new byte[40]), "invalid chunk item size: have 40 expect [48, 3995)");
  }

  @Test
  void rejectsBadGeometry() {
    fails(leaf((1 << 22) + 512, chunk(8 << 20, 1, 1, 1)), "invalid chunk logical, have 4194816");
    fails(leaf(1 << 22, chunk(0, 1, 1, 1)), "invalid chunk length, have 0");
    fails(leaf(1 << 22, chunk((8 << 20) + 1, 1, 1, 1)), "invalid chunk length, have 8388609");
    fails(leaf(-8192L, chunk(8 << 20, 1, 1, 1)), "invalid chunk logical start and length");
    fails(leaf(1 << 22, chunk(0xffffffffL << 16, 1, 1, 1)), "chunk length too large");
    byte[] stripe = data(0, 1, 1);
    Le.put64(stripe, Fixture.data(stripe, 0) + ChunkItem.OFF_STRIPE_LEN, 32768);
    fails(stripe, "invalid chunk stripe length: 32768");
    byte[] sector = data(0, 1, 1);
    Le.put32(sector, Fixture.data(sector, 0) + ChunkItem.OFF_SECTOR_SIZE, 512);
    fails(sector, "invalid chunk sectorsize, have 512 expect 4096");
  }

  @Test
  void rejectsBadTypeBits() {
    fails(data(1L << 20, 1, 1), "unrecognized chunk type: 0x100000");
    fails(data(RAID1 | DUP, 2, 1), "invalid chunk profile flag: 0x30, expect 0 or 1 bit set");
    fails(leaf(1 << 22, chunk(8 << 20, DUP, 2, 1)), "missing chunk type flag, have 0x20");
    fails(
        leaf(1 << 22, chunk(8 << 20, BlockGroupItem.TYPE_SYSTEM | BlockGroupItem.TYPE_DATA, 1, 1)),
        "system chunk with data or metadata type: 0x3");
    byte[] mixed =
        leaf(
            1 << 22, chunk(8 << 20, BlockGroupItem.TYPE_METADATA | BlockGroupItem.TYPE_DATA, 1, 1));
    fails(mixed, "mixed chunk type in non-mixed mode: 0x5");
    passes(mixed, Fixture.ctx(FeatureFlags.INCOMPAT_MIXED_GROUPS, false));
  }
}
