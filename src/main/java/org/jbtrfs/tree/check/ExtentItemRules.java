package org.jbtrfs.tree.check;

import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.TreeHeader;

/**
 * EXTENT_ITEM and METADATA_ITEM: an aligned address; for a tree block the node size (or, skinny, a
 * level below the maximum), for data an aligned length and no FULL_BACKREF flag; exactly one of the
 * DATA and TREE_BLOCK flags; no generation from the future; inline references of known types in the
 * kernel's order (types ascending, within a type their offsets or hashes descending), sizes that
 * fill the item exactly and counts no larger than the item's total; and no overlap with the extent
 * before it in the leaf.
 */
final class ExtentItemRules {
  private ExtentItemRules() {}

  static void check(ItemSlot s) throws FormatException {
    boolean skinny = s.type == ItemType.METADATA_ITEM;
    if (skinny && !s.ctx.skinnyMetadata()) {
      throw s.corrupt(
          "invalid key type, METADATA_ITEM type invalid when SKINNY_METADATA feature disabled");
    }
    if (!s.aligned(s.objectId)) {
      throw s.corrupt(
          "invalid key objectid, have "
              + ItemSlot.u(s.objectId)
              + " expect to be aligned to "
              + s.ctx.sectorSize());
    }
    if (skinny && Long.compareUnsigned(s.offset, TreeHeader.MAX_LEVEL) >= 0) {
      throw s.corrupt(
          "invalid tree level, have "
              + ItemSlot.u(s.offset)
              + " expect [0, "
              + (TreeHeader.MAX_LEVEL - 1)
              + "]");
    }
    if (s.size < ExtentItem.HEADER_SIZE) {
      throw s.corrupt(
          "invalid item size, have "
              + s.size
              + " expect ["
              + ExtentItem.HEADER_SIZE
              + ", "
              + s.ctx.leafDataSize()
              + ")");
    }
    long generation = s.u64(ExtentItem.OFF_GENERATION);
    if (Long.compareUnsigned(generation, s.ctx.maxGeneration()) > 0) {
      throw s.corrupt(
          "invalid generation, have "
              + ItemSlot.u(generation)
              + " expect (0, "
              + s.ctx.maxGeneration()
              + "]");
    }
    long flags = s.u64(ExtentItem.OFF_FLAGS);
    long kind = flags & (ExtentItem.FLAG_DATA | ExtentItem.FLAG_TREE_BLOCK);
    if (Long.bitCount(kind) != 1) {
      throw s.corrupt(
          "invalid extent flag, have "
              + ItemSlot.hex(flags)
              + " expect 1 bit set in "
              + ItemSlot.hex(ExtentItem.FLAG_DATA | ExtentItem.FLAG_TREE_BLOCK));
    }
    boolean treeBlock = kind == ExtentItem.FLAG_TREE_BLOCK;
    checkKind(s, treeBlock, flags);
    int pos = ExtentItem.HEADER_SIZE;
    if (treeBlock && !skinny) {
      if (pos + ExtentItem.TREE_BLOCK_INFO_SIZE > s.size) {
        throw s.corrupt("tree block info overflows extent item, end " + s.size);
      }
      int level = s.u8(pos + ExtentItem.OFF_TREE_BLOCK_LEVEL);
      if (level >= TreeHeader.MAX_LEVEL) {
        throw s.corrupt(
            "invalid tree block info level, have "
                + level
                + " expect [0, "
                + (TreeHeader.MAX_LEVEL - 1)
                + "]");
      }
      pos += ExtentItem.TREE_BLOCK_INFO_SIZE;
    }
    long inlineRefs = InlineRefRules.check(s, pos);
    long total = s.u64(ExtentItem.OFF_REFS);
    if (Long.compareUnsigned(inlineRefs, total) > 0) {
      throw s.corrupt(
          "invalid extent refs, have "
              + ItemSlot.u(total)
              + " expect >= inline "
              + ItemSlot.u(inlineRefs));
    }
    checkNoOverlapWithPrevious(s);
  }

  private static void checkKind(ItemSlot s, boolean treeBlock, long flags) throws FormatException {
    if (treeBlock) {
      if (s.type == ItemType.EXTENT_ITEM && s.offset != s.ctx.nodeSize()) {
        throw s.corrupt(
            "invalid extent length, have " + ItemSlot.u(s.offset) + " expect " + s.ctx.nodeSize());
      }
      return;
    }
    if (s.type != ItemType.EXTENT_ITEM) {
      throw s.corrupt(
          "invalid key type, have "
              + s.type
              + " expect "
              + ItemType.EXTENT_ITEM
              + " for data backref");
    }
    if (!s.aligned(s.offset)) {
      throw s.corrupt(
          "invalid extent length, have "
              + ItemSlot.u(s.offset)
              + " expect aligned to "
              + s.ctx.sectorSize());
    }
    if ((flags & ExtentItem.FLAG_FULL_BACKREF) != 0) {
      throw s.corrupt("invalid extent flag, data has full backref set");
    }
  }

  private static void checkNoOverlapWithPrevious(ItemSlot s) throws FormatException {
    if (!s.hasPrev()) return;
    long prevEnd;
    if (s.prevType == ItemType.METADATA_ITEM) {
      prevEnd = s.prevObjectId + s.ctx.nodeSize();
    } else if (s.prevType == ItemType.EXTENT_ITEM) {
      prevEnd = s.prevObjectId + s.prevOffset;
    } else {
      return;
    }
    if (Long.compareUnsigned(prevEnd, s.objectId) > 0) {
      throw s.corrupt(
          "previous extent ("
              + ItemSlot.u(s.prevObjectId)
              + " "
              + s.prevType
              + " "
              + ItemSlot.u(s.prevOffset)
              + ") overlaps current extent ("
              + ItemSlot.u(s.objectId)
              + " "
              + s.type
              + " "
              + ItemSlot.u(s.offset)
              + ")");
    }
  }
}
