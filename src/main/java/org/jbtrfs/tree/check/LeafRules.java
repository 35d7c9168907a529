package org.jbtrfs.tree.check;

import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.TreeBlock;

/**
 * A leaf's content: trees that always hold items are never an empty leaf, and every item passes the
 * rules of its type. Item types without rules (orphans, dir log items, ...) pass; the structural
 * checker has already made sure every item lies inside the block.
 */
final class LeafRules {
  private LeafRules() {}

  static void check(TreeBlock b, CheckContext ctx) throws FormatException {
    int n = b.nritems();
    if (n == 0) {
      checkEmpty(b, ctx);
      return;
    }
    ItemSlot s = new ItemSlot(b, ctx);
    for (int i = 0; i < n; i++) {
      s.moveTo(i);
      checkItem(s);
    }
  }

  /**
   * Only the root of a tree can be an empty leaf, and these trees always hold something. A
   * relocation tree's blocks carry the owner of the tree they relocate, so they are not judged.
   */
  private static void checkEmpty(TreeBlock b, CheckContext ctx) throws FormatException {
    if ((b.flags() & TreeHeader.FLAG_RELOC) != 0) return;
    long owner = b.owner();
    boolean neverEmpty =
        owner == ObjectIds.ROOT_TREE
            || owner == ObjectIds.CHUNK_TREE
            || owner == ObjectIds.DEV_TREE
            || owner == ObjectIds.FS_TREE
            || owner == ObjectIds.DATA_RELOC_TREE
            || (owner == ObjectIds.EXTENT_TREE
                && !ctx.hasIncompat(FeatureFlags.INCOMPAT_EXTENT_TREE_V2));
    if (neverEmpty) {
      throw new FormatException(
          where(b) + "invalid root, root " + Long.toUnsignedString(owner) + " must never be empty");
    }
    if (owner == 0) throw new FormatException(where(b) + "invalid owner, root 0 is not defined");
  }

  private static String where(TreeBlock b) {
    return ItemSlot.where(b, 0) + ", ";
  }

  private static void checkItem(ItemSlot s) throws FormatException {
    switch (s.type) {
      case ItemType.INODE_ITEM -> InodeItemRules.check(s);
      case ItemType.INODE_REF, ItemType.INODE_EXTREF -> InodeRefRules.check(s);
      case ItemType.DIR_ITEM, ItemType.DIR_INDEX, ItemType.XATTR_ITEM -> DirItemRules.check(s);
      case ItemType.EXTENT_DATA -> FileExtentRules.check(s);
      case ItemType.EXTENT_CSUM -> CsumItemRules.check(s);
      case ItemType.ROOT_ITEM -> RootItemRules.check(s);
      case ItemType.ROOT_REF, ItemType.ROOT_BACKREF -> RootRefRules.check(s);
      case ItemType.EXTENT_ITEM, ItemType.METADATA_ITEM -> ExtentItemRules.check(s);
      case ItemType.TREE_BLOCK_REF,
          ItemType.SHARED_BLOCK_REF,
          ItemType.SHARED_DATA_REF,
          ItemType.EXTENT_DATA_REF ->
          KeyedBackrefRules.check(s);
      case ItemType.BLOCK_GROUP_ITEM -> BlockGroupItemRules.check(s);
      case ItemType.FREE_SPACE_INFO, ItemType.FREE_SPACE_EXTENT, ItemType.FREE_SPACE_BITMAP ->
          FreeSpaceRules.check(s);
      case ItemType.DEV_EXTENT -> DevExtentRules.check(s);
      case ItemType.DEV_ITEM -> DevItemRules.check(s);
      case ItemType.CHUNK_ITEM -> ChunkItemRules.check(s);
      case ItemType.UUID_KEY_SUBVOL, ItemType.UUID_KEY_RECEIVED_SUBVOL -> UuidItemRules.check(s);
      case ItemType.QGROUP_STATUS,
          ItemType.QGROUP_INFO,
          ItemType.QGROUP_LIMIT,
          ItemType.QGROUP_RELATION ->
          QgroupItemRules.check(s);
      default -> {}
    }
  }
}
