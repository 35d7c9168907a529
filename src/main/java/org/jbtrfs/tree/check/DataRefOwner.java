package org.jbtrfs.tree.check;

import org.jbtrfs.format.ObjectIds;

/**
 * Who may own a data extent reference: a file tree, the data relocation tree, or the root tree
 * (whose inodes hold the old v1 space cache); and the inode must be an ordinary inode number.
 */
final class DataRefOwner {
  private DataRefOwner() {}

  static boolean validRoot(long root) {
    return ObjectIds.isFsTree(root)
        || root == ObjectIds.DATA_RELOC_TREE
        || root == ObjectIds.ROOT_TREE;
  }

  static boolean validInode(long objectId) {
    return Long.compareUnsigned(objectId, ObjectIds.FIRST_FREE) >= 0
        && Long.compareUnsigned(objectId, ObjectIds.LAST_FREE) <= 0;
  }
}
