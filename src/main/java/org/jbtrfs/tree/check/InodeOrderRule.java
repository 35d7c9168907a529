package org.jbtrfs.tree.check;

import org.jbtrfs.format.FormatException;

/**
 * In a file tree every item of an inode follows its INODE_ITEM in the same leaf or an earlier one,
 * so an inode's refs, dir entries, xattrs or extents right after another inode's items mean the
 * inode item is missing. Other trees (log trees among them) do not keep this order.
 */
final class InodeOrderRule {
  private InodeOrderRule() {}

  static void check(ItemSlot s) throws FormatException {
    if (!s.hasPrev() || !s.fsTree || s.prevObjectId == s.objectId) return;
    throw s.corrupt(
        "invalid previous key objectid, have "
            + ItemSlot.u(s.prevObjectId)
            + " expect "
            + ItemSlot.u(s.objectId));
  }
}
