package org.jbtrfs.scrub;

/**
 * One allocated extent as the extent tree records it: a tree block (with the level and generation
 * its header must carry, level -1 when the item does not say) or a data extent.
 */
record AllocatedExtent(long bytenr, long length, boolean treeBlock, int level, long generation) {
  long end() {
    return bytenr + length;
  }
}
