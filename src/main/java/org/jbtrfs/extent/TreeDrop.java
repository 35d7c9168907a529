package org.jbtrfs.extent;

import java.io.IOException;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.tree.MetadataReader;
import org.jbtrfs.tree.SharedBlockRefs;
import org.jbtrfs.tree.TreeBlock;

/**
 * Drops every reference a deleted subvolume's tree holds, as the kernel's btrfs_drop_snapshot does:
 * a block another tree also references loses this tree's reference and is not entered; a block only
 * this tree references is entered, its children (or, in a leaf, its data extents) lose their
 * references from it, and then it loses its own. A reference is keyed by this tree's id unless the
 * block holding it is FULL_BACKREF, in which case it is the shared reference from that block's
 * address. Extents whose last reference goes are freed when the delayed refs run.
 */
public final class TreeDrop {
  private final MetadataReader reader;
  private final DelayedRefs refs;
  private final SharedBlockRefs shared;
  private final int nodeSize;
  private final long root;
  private long blocksFreed;
  private long blocksLeftShared;

  public TreeDrop(
      MetadataReader reader, DelayedRefs refs, SharedBlockRefs shared, int nodeSize, long root) {
    this.reader = reader;
    this.refs = refs;
    this.shared = shared;
    this.nodeSize = nodeSize;
    this.root = root;
  }

  /** Drops the tree whose root block is {@code bytenr} (referenced by the root item, keyed). */
  public void dropFrom(long bytenr, long generation, int level) throws IOException {
    drop(bytenr, generation, level, 0);
  }

  public long blocksFreed() {
    return blocksFreed;
  }

  public long blocksLeftShared() {
    return blocksLeftShared;
  }

  /** Depth first; the recursion is as deep as the tree (at most 8 levels). */
  private void drop(long bytenr, long generation, int level, long parent) throws IOException {
    SharedBlockRefs.Info info = shared.lookup(bytenr, level);
    if (info.refs() > 1) {
      refs.treeBlockRef(bytenr, nodeSize, level, root, parent, -1);
      blocksLeftShared++;
      return;
    }
    TreeBlock block = reader.read(bytenr, generation, level);
    long childParent = (info.flags() & ExtentItem.FLAG_FULL_BACKREF) != 0 ? bytenr : 0;
    if (level > 0) {
      for (int i = 0; i < block.nritems(); i++) {
        drop(block.childBlockPtr(i), block.childGeneration(i), level - 1, childParent);
      }
    } else {
      shared.changeChildRefs(block.raw(), root, childParent, -1);
    }
    refs.treeBlockRef(bytenr, nodeSize, level, root, parent, -1);
    blocksFreed++;
  }
}
