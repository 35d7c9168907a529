package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.tree.BlockBuilder;
import org.junit.jupiter.api.Test;

class KeyedBackrefRulesTest {
  private static final long DATA = 1 << 20;
  private static final long META = 4 << 20;

  private static byte[] count(long n) {
    byte[] b = new byte[ExtentItem.SHARED_DATA_REF_SIZE];
    Le.put32(b, 0, n);
    return b;
  }

  private static BlockBuilder refs() {
    return Fixture.leaf()
        .owner(2)
        .item(
            new Key(DATA, ItemType.EXTENT_DATA_REF, ExtentItem.dataRefHash(5, 257, 0)),
            ExtentItem.encodeDataRef(5, 257, 0, 1))
        .item(new Key(DATA, ItemType.SHARED_DATA_REF, 8 << 20), count(1))
        .item(META, ItemType.TREE_BLOCK_REF, 5, 0)
        .item(META, ItemType.SHARED_BLOCK_REF, 8 << 20, 0);
  }

  @Test
  void acceptsEveryKeyedBackref() {
    passes(refs().bytes());
  }

  @Test
  void rejectsWrongSizes() {
    fails(
        Fixture.leaf().item(META, ItemType.TREE_BLOCK_REF, 5, 8).bytes(),
        "invalid item size, have 8 expect 0 for key type 176");
    fails(
        Fixture.leaf().item(DATA, ItemType.SHARED_DATA_REF, 8 << 20, 8).bytes(),
        "invalid shared data backref count");
    fails(
        Fixture.leaf().item(DATA, ItemType.EXTENT_DATA_REF, 1, 27).bytes(),
        "invalid item size, have 27 expect aligned to 28 for key type 178");
  }

  @Test
  void rejectsZeroCounts() {
    byte[] shared = refs().bytes();
    Le.put32(shared, data(shared, 1), 0);
    fails(shared, "invalid shared data backref count, should have non-zero value");
    byte[] file = refs().bytes();
    Le.put32(file, data(file, 0) + ExtentItem.DATA_REF_COUNT, 0);
    fails(file, "invalid extent data backref count, should have non-zero value");
  }

  @Test
  void rejectsUnalignedAddresses() {
    fails(
        Fixture.leaf().item(META + 1, ItemType.TREE_BLOCK_REF, 5, 0).bytes(),
        "invalid key objectid for shared block ref, have 4194305");
    fails(
        Fixture.leaf().item(META, ItemType.SHARED_BLOCK_REF, (8 << 20) + 1, 0).bytes(),
        "invalid tree parent bytenr, have 8388609 expect aligned to 4096");
  }

  @Test
  void rejectsBadDataRefs() {
    byte[] root = refs().bytes();
    Le.put64(root, data(root, 0) + ExtentItem.DATA_REF_ROOT, 4);
    fails(root, "invalid extent data backref root value 4");
    byte[] ino = refs().bytes();
    Le.put64(ino, data(ino, 0) + ExtentItem.DATA_REF_OBJECTID, 3);
    fails(ino, "invalid extent data backref objectid value 3");
    byte[] off = refs().bytes();
    Le.put64(off, data(off, 0) + ExtentItem.DATA_REF_OFFSET, 5);
    fails(off, "invalid extent data backref offset, have 5 expect aligned to 4096");
    // The v1 space cache's inodes live in the root tree, the relocation tree moves data too.
    byte[] cache = refs().bytes();
    Le.put64(cache, data(cache, 0) + ExtentItem.DATA_REF_ROOT, 1);
    passes(cache);
    Le.put64(cache, data(cache, 0) + ExtentItem.DATA_REF_ROOT, -9L);
    passes(cache);
  }
}
