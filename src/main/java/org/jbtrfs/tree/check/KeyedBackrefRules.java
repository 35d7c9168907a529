package org.jbtrfs.tree.check;

import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;

/**
 * Back references stored as items of their own: TREE_BLOCK_REF and SHARED_BLOCK_REF are empty,
 * SHARED_DATA_REF holds a non-zero count, EXTENT_DATA_REF holds whole data refs each owned by a
 * tree that may hold data. Extent addresses and parent addresses are sector aligned.
 */
final class KeyedBackrefRules {
  private KeyedBackrefRules() {}

  static void check(ItemSlot s) throws FormatException {
    if (s.type == ItemType.EXTENT_DATA_REF) {
      checkDataRefs(s);
      return;
    }
    int expect = 0;
    if (s.type == ItemType.SHARED_DATA_REF) {
      expect = ExtentItem.SHARED_DATA_REF_SIZE;
      if (s.size >= expect && s.u32(0) == 0) {
        throw s.corrupt("invalid shared data backref count, should have non-zero value");
      }
    }
    if (s.size != expect) {
      throw s.corrupt(
          "invalid item size, have " + s.size + " expect " + expect + " for key type " + s.type);
    }
    requireAlignedObjectId(s);
    if (s.type != ItemType.TREE_BLOCK_REF && !s.aligned(s.offset)) {
      throw s.corrupt(
          "invalid tree parent bytenr, have "
              + ItemSlot.u(s.offset)
              + " expect aligned to "
              + s.ctx.sectorSize());
    }
  }

  private static void checkDataRefs(ItemSlot s) throws FormatException {
    if (s.size % ExtentItem.DATA_REF_SIZE != 0) {
      throw s.corrupt(
          "invalid item size, have "
              + s.size
              + " expect aligned to "
              + ExtentItem.DATA_REF_SIZE
              + " for key type "
              + s.type);
    }
    requireAlignedObjectId(s);
    // The key offset is a hash that collisions may move on, so it cannot be checked.
    for (int at = 0; at < s.size; at += ExtentItem.DATA_REF_SIZE) {
      long root = s.u64(at + ExtentItem.DATA_REF_ROOT);
      long ino = s.u64(at + ExtentItem.DATA_REF_OBJECTID);
      long offset = s.u64(at + ExtentItem.DATA_REF_OFFSET);
      if (!DataRefOwner.validRoot(root)) {
        throw s.corrupt("invalid extent data backref root value " + ItemSlot.u(root));
      }
      if (!DataRefOwner.validInode(ino)) {
        throw s.corrupt("invalid extent data backref objectid value " + ItemSlot.u(ino));
      }
      if (!s.aligned(offset)) {
        throw s.corrupt(
            "invalid extent data backref offset, have "
                + ItemSlot.u(offset)
                + " expect aligned to "
                + s.ctx.sectorSize());
      }
      if (s.u32(at + ExtentItem.DATA_REF_COUNT) == 0) {
        throw s.corrupt("invalid extent data backref count, should have non-zero value");
      }
    }
  }

  private static void requireAlignedObjectId(ItemSlot s) throws FormatException {
    if (!s.aligned(s.objectId)) {
      throw s.corrupt(
          "invalid key objectid for shared block ref, have "
              + ItemSlot.u(s.objectId)
              + " expect aligned to "
              + s.ctx.sectorSize());
    }
  }
}
