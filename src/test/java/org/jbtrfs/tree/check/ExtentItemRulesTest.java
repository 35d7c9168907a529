package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import java.util.List;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.ExtentItem.InlineRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.tree.BlockBuilder;
import org.junit.jupiter.api.Test;

class ExtentItemRulesTest {
  private static final long DATA = 1 << 20;
  private static final long META = 4 << 20;

  private static InlineRef dataRef(long root, long ino, long offset, long count) {
    return new InlineRef(ItemType.EXTENT_DATA_REF, root, ino, offset, count);
  }

  static byte[] dataExtent(List<InlineRef> refs, long total) {
    return new ExtentItem(total, 7, ExtentItem.FLAG_DATA, null, -1, refs).encode();
  }

  private static byte[] treeBlock(long root) {
    InlineRef ref = new InlineRef(ItemType.TREE_BLOCK_REF, root, 0, 0, 1);
    return new ExtentItem(1, 7, ExtentItem.FLAG_TREE_BLOCK, null, -1, List.of(ref)).encode();
  }

  /** A data extent with two file refs and a shared one, then a skinny tree block. */
  private static BlockBuilder extents() {
    // Inline data refs go in descending hash order.
    InlineRef a = dataRef(5, 257, 0, 1);
    InlineRef b = dataRef(5, 258, 0, 2);
    long ha = ExtentItem.dataRefHash(5, 257, 0);
    long hb = ExtentItem.dataRefHash(5, 258, 0);
    List<InlineRef> ordered = Long.compareUnsigned(ha, hb) > 0 ? List.of(a, b) : List.of(b, a);
    List<InlineRef> refs = new java.util.ArrayList<>(ordered);
    refs.add(new InlineRef(ItemType.SHARED_DATA_REF, 8 << 20, 0, 0, 1));
    return Fixture.leaf()
        .owner(2)
        .item(new Key(DATA, ItemType.EXTENT_ITEM, 8192), dataExtent(refs, 4))
        .item(new Key(META, ItemType.METADATA_ITEM, 0), treeBlock(5));
  }

  @Test
  void acceptsDataAndTreeBlockExtents() {
    passes(extents().bytes());
    // Without skinny metadata a tree block is an EXTENT_ITEM of node size with its key and level.
    byte[] fat =
        new ExtentItem(
                1,
                7,
                ExtentItem.FLAG_TREE_BLOCK,
                new Key(256, 1, 0),
                0,
                List.of(new InlineRef(ItemType.SHARED_BLOCK_REF, 8 << 20, 0, 0, 1)))
            .encode();
    byte[] raw =
        Fixture.leaf()
            .owner(2)
            .item(new Key(META, ItemType.EXTENT_ITEM, BlockBuilder.NODE_SIZE), fat)
            .bytes();
    passes(raw, Fixture.ctx(0, false));
  }

  @Test
  void rejectsSkinnyItemWithoutTheFeatureAndBadLevel() {
    fails(extents().bytes(), Fixture.ctx(0, false), "METADATA_ITEM type invalid when SKINNY");
    byte[] level =
        Fixture.leaf().item(new Key(META, ItemType.METADATA_ITEM, 8), treeBlock(5)).bytes();
    fails(level, "invalid tree level, have 8 expect [0, 7]");
  }

  @Test
  void rejectsUnalignedAddressAndLength() {
    byte[] addr =
        Fixture.leaf()
            .item(new Key(DATA + 1, ItemType.EXTENT_ITEM, 8192), dataExtent(List.of(), 1))
            .bytes();
    fails(addr, "invalid key objectid, have 1048577 expect to be aligned to 4096");
    byte[] len =
        Fixture.leaf()
            .item(new Key(DATA, ItemType.EXTENT_ITEM, 8000), dataExtent(List.of(), 1))
            .bytes();
    fails(len, "invalid extent length, have 8000 expect aligned to 4096");
    byte[] tree =
        Fixture.leaf().item(new Key(META, ItemType.EXTENT_ITEM, 8192), treeBlock(5)).bytes();
    fails(tree, Fixture.ctx(0, false), "invalid extent length, have 8192 expect 4096");
  }

  @Test
  void rejectsBadFlagsAndGeneration() {
    byte[] both = extents().bytes();
    Le.put64(both, data(both, 0) + ExtentItem.OFF_FLAGS, 3);
    fails(both, "invalid extent flag, have 0x3 expect 1 bit set in 0x3");
    byte[] full = extents().bytes();
    Le.put64(full, data(full, 0) + ExtentItem.OFF_FLAGS, 1 | ExtentItem.FLAG_FULL_BACKREF);
    fails(full, "invalid extent flag, data has full backref set");
    byte[] gen = extents().bytes();
    Le.put64(gen, data(gen, 0) + ExtentItem.OFF_GENERATION, 500);
    fails(gen, "invalid generation, have 500 expect (0, 101]");
    byte[] dataAsSkinny =
        Fixture.leaf()
            .item(new Key(META, ItemType.METADATA_ITEM, 0), dataExtent(List.of(), 1))
            .bytes();
    fails(dataAsSkinny, "invalid key type, have 169 expect 168 for data backref");
  }

  @Test
  void rejectsMoreInlineRefsThanTheTotal() {
    byte[] raw = extents().bytes();
    Le.put64(raw, data(raw, 0) + ExtentItem.OFF_REFS, 3);
    fails(raw, "invalid extent refs, have 3 expect >= inline 4");
  }

  @Test
  void rejectsInlineRefsOutOfOrder() {
    InlineRef shared = new InlineRef(ItemType.SHARED_DATA_REF, 8 << 20, 0, 0, 1);
    InlineRef file = dataRef(5, 257, 0, 1);
    byte[] types =
        Fixture.leaf()
            .item(new Key(DATA, ItemType.EXTENT_ITEM, 8192), dataExtent(List.of(shared, file), 2))
            .bytes();
    fails(types, "inline ref out-of-order: has type 178, prev type 184");
    InlineRef low = new InlineRef(ItemType.SHARED_DATA_REF, 8 << 20, 0, 0, 1);
    InlineRef high = new InlineRef(ItemType.SHARED_DATA_REF, 9 << 20, 0, 0, 1);
    byte[] seq =
        Fixture.leaf()
            .item(new Key(DATA, ItemType.EXTENT_ITEM, 8192), dataExtent(List.of(low, high), 2))
            .bytes();
    fails(seq, "inline ref out-of-order: has type 184 offset 9437184");
  }

  @Test
  void rejectsBadInlineRefs() {
    byte[] root =
        Fixture.leaf()
            .item(
                new Key(DATA, ItemType.EXTENT_ITEM, 8192),
                dataExtent(List.of(dataRef(2, 257, 0, 1)), 1))
            .bytes();
    fails(root, "invalid data ref root value 2");
    byte[] ino =
        Fixture.leaf()
            .item(
                new Key(DATA, ItemType.EXTENT_ITEM, 8192),
                dataExtent(List.of(dataRef(5, 7, 0, 1)), 1))
            .bytes();
    fails(ino, "invalid data ref objectid value 7");
    byte[] off =
        Fixture.leaf()
            .item(
                new Key(DATA, ItemType.EXTENT_ITEM, 8192),
                dataExtent(List.of(dataRef(5, 257, 10, 1)), 1))
            .bytes();
    fails(off, "invalid data ref offset, have 10 expect aligned to 4096");
    byte[] count =
        Fixture.leaf()
            .item(
                new Key(DATA, ItemType.EXTENT_ITEM, 8192),
                dataExtent(List.of(dataRef(5, 257, 0, 0)), 1))
            .bytes();
    fails(count, "invalid data ref count, should have non-zero value");
    InlineRef parent = new InlineRef(ItemType.SHARED_BLOCK_REF, (8 << 20) + 1, 0, 0, 1);
    byte[] shared =
        Fixture.leaf()
            .item(
                new Key(META, ItemType.METADATA_ITEM, 0),
                new ExtentItem(1, 7, ExtentItem.FLAG_TREE_BLOCK, null, -1, List.of(parent))
                    .encode())
            .bytes();
    fails(shared, "invalid tree parent bytenr, have 8388609 expect aligned to 4096");
    byte[] type = extents().bytes();
    type[data(type, 0) + ExtentItem.HEADER_SIZE] = 100;
    fails(type, "unknown inline ref type: 100");
  }

  @Test
  void rejectsTruncatedOrPaddedRefs() {
    byte[] item = dataExtent(List.of(dataRef(5, 257, 0, 1)), 1);
    byte[] cut = java.util.Arrays.copyOf(item, item.length - 1);
    byte[] raw = Fixture.leaf().item(new Key(DATA, ItemType.EXTENT_ITEM, 8192), cut).bytes();
    fails(raw, "inline ref item overflows extent item, ptr 24 iref size 29 end 52");
    byte[] small = Fixture.leaf().item(DATA, ItemType.EXTENT_ITEM, 8192, 23).bytes();
    fails(small, "invalid item size, have 23 expect [24, 3995)");
  }

  @Test
  void rejectsOverlapWithThePreviousExtent() {
    byte[] raw =
        Fixture.leaf()
            .item(new Key(DATA, ItemType.EXTENT_ITEM, 8192), dataExtent(List.of(), 1))
            .item(new Key(DATA + 4096, ItemType.EXTENT_ITEM, 4096), dataExtent(List.of(), 1))
            .bytes();
    fails(raw, "previous extent (1048576 168 8192) overlaps current extent (1052672 168 4096)");
  }
}
