package org.jbtrfs.tree.check;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.ObjectIds;

/**
 * Keys that name an inode or a tree: an INODE_ITEM's own key, a dir entry's location, a ROOT_ITEM's
 * key. Inode numbers live in [256, -256], plus the root tree's directory (6) and the old inode
 * cache (-12); entries may point only at file trees.
 */
final class LocationKeyRules {
  private LocationKeyRules() {}

  static boolean isInodeNumber(long id) {
    boolean free =
        Long.compareUnsigned(id, ObjectIds.FIRST_FREE) >= 0
            && Long.compareUnsigned(id, ObjectIds.LAST_FREE) <= 0;
    return free || id == ObjectIds.ROOT_TREE_DIR || id == ObjectIds.FREE_INO;
  }

  /** An inode key: the item's own ({@code ownKey}) or an entry's location. */
  static void checkInodeKey(ItemSlot s, long oid, int type, long off, boolean ownKey)
      throws FormatException {
    if (s.type == ItemType.XATTR_ITEM) {
      // An xattr points at nothing: its location key is all zero.
      if (oid != 0 || type != 0 || off != 0) {
        throw s.corrupt(
            "invalid location key for xattr, have ("
                + ItemSlot.u(oid)
                + " "
                + type
                + " "
                + ItemSlot.u(off)
                + ") expect (0 0 0)");
      }
      return;
    }
    if (!isInodeNumber(oid)) {
      throw s.corrupt(
          (ownKey ? "invalid key objectid: has " : "invalid location key objectid: has ")
              + ItemSlot.u(oid)
              + " expect 6 or [256, 18446744073709551360] or 18446744073709551604");
    }
    if (off != 0) {
      throw s.corrupt(
          (ownKey ? "invalid key offset: has " : "invalid location key offset: has ")
              + ItemSlot.u(off)
              + " expect 0");
    }
  }

  /** A tree key: a ROOT_ITEM's own ({@code ownKey}) or a dir entry pointing at a subvolume. */
  static void checkRootKey(ItemSlot s, long oid, long off, boolean ownKey) throws FormatException {
    // Relocation trees exist only for subvolumes, and are keyed by the tree they relocate.
    if (ownKey && oid == ObjectIds.TREE_RELOC && !ObjectIds.isFsTree(off)) {
      throw s.corrupt("invalid reloc tree for root " + off + ", root id is not a subvolume tree");
    }
    if (oid == 0) {
      throw s.corrupt(ownKey ? "invalid root id 0" : "invalid location key root id 0");
    }
    if (!ownKey && !ObjectIds.isFsTree(oid)) {
      throw s.corrupt(
          "invalid location key objectid, have "
              + ItemSlot.u(oid)
              + " expect [256, 18446744073709551360]");
    }
    if (oid == ObjectIds.TREE_RELOC && off == 0) {
      throw s.corrupt("invalid root id 0 for reloc tree");
    }
  }
}
