package org.jbtrfs.extent;

import java.io.IOException;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.MetadataReader;
import org.jbtrfs.tree.SharedBlockRefs;
import org.jbtrfs.tree.TreeBlock;

/**
 * Drops every reference a deleted subvolume's tree holds, as the kernel's btrfs_drop_snapshot does,
 * a bounded piece at a time so that a large tree is dropped over many transactions: a block another
 * tree also references loses this tree's reference and is not entered; a block only this tree
 * references is entered, its children (or, in a leaf, its data extents) lose their references from
 * it, and then it loses its own. A reference is keyed by this tree's id unless the block holding it
 * is FULL_BACKREF, in which case it is the shared reference from that block's address. Extents
 * whose last reference goes are freed when the delayed refs run.
 *
 * <p>Between pieces the position is a {@link Progress}, the root item's drop_progress and
 * drop_level as the kernel keeps them: in the node at that level on the path to that key, every
 * child before the key is gone; the nodes above it are still whole (they are exclusive to this tree
 * and are freed when their last child is done). Either driver can resume the other's drop.
 */
public final class TreeDrop {
  /** Where a partial drop stopped: the key of the next child to drop in a node at {@code level}. */
  public record Progress(Key key, int level) {}

  private final MetadataReader reader;
  private final DelayedRefs refs;
  private final SharedBlockRefs shared;
  private final int nodeSize;
  private final long root;
  private final TreeBlock[] nodes = new TreeBlock[TreeHeader.MAX_LEVEL];
  private final int[] slots = new int[TreeHeader.MAX_LEVEL];
  private final long[] flags = new long[TreeHeader.MAX_LEVEL];

  public TreeDrop(
      MetadataReader reader, DelayedRefs refs, SharedBlockRefs shared, int nodeSize, long root) {
    this.reader = reader;
    this.refs = refs;
    this.shared = shared;
    this.nodeSize = nodeSize;
    this.root = root;
  }

  /**
   * Drops about {@code leafBudget} leaves (shared subtrees count as one) of the tree rooted at
   * {@code bytenr}, starting at {@code from} (null: from the beginning). Returns where it stopped,
   * or null once the whole tree, its root block included, has been dropped.
   */
  public Progress run(long bytenr, long generation, int rootLevel, Progress from, long leafBudget)
      throws IOException {
    int level;
    boolean resumed = from != null;
    if (!resumed) {
      SharedBlockRefs.Info info = shared.lookup(bytenr, rootLevel);
      if (info.refs() > 1 || rootLevel == 0) {
        dropChild(bytenr, generation, rootLevel, 0, info);
        return null;
      }
      enter(rootLevel, reader.read(bytenr, generation, rootLevel), info);
      level = rootLevel;
    } else {
      level = descendTo(bytenr, generation, rootLevel, from);
    }
    long budget = leafBudget;
    while (true) {
      TreeBlock node = nodes[level];
      if (slots[level] >= node.nritems()) {
        // Every child is gone: the node itself goes, from its parent's reference.
        long parent = level == rootLevel ? 0 : parentRef(level + 1);
        refs.treeBlockRef(node.bytenr(), nodeSize, level, root, parent, -1);
        nodes[level] = null;
        if (level == rootLevel) return null;
        level++;
        slots[level]++;
        continue;
      }
      if (budget <= 0) return new Progress(node.key(slots[level]), level);
      long child = node.childBlockPtr(slots[level]);
      long childGen = node.childGeneration(slots[level]);
      SharedBlockRefs.Info info =
          resumed ? lookupResumed(child, level - 1) : shared.lookup(child, level - 1);
      resumed = false;
      if (info == null) {
        slots[level]++;
        continue;
      }
      if (level == 1 || info.refs() > 1) {
        dropChild(child, childGen, level - 1, parentRef(level), info);
        budget--;
        slots[level]++;
      } else {
        level--;
        enter(level, reader.read(child, childGen, level), info);
      }
    }
  }

  /** Walks from the root to the node at {@code from.level()} on the path to its key. */
  private int descendTo(long bytenr, long generation, int rootLevel, Progress from)
      throws IOException {
    if (from.level() < 1 || from.level() > rootLevel) {
      throw new FormatException(
          "tree " + root + ": drop level " + from.level() + " outside root level " + rootLevel);
    }
    for (int l = rootLevel; ; l--) {
      SharedBlockRefs.Info info = shared.lookup(bytenr, l);
      if (info.refs() != 1) {
        throw new FormatException(
            "tree "
                + root
                + ": block "
                + bytenr
                + " above the drop position has refs "
                + info.refs());
      }
      TreeBlock node = reader.read(bytenr, generation, l);
      enter(l, node, info);
      int slot = node.floorSlot(from.key());
      if (slot < 0) {
        throw new FormatException("tree " + root + ": drop position " + from.key() + " not found");
      }
      slots[l] = slot;
      if (l == from.level()) return l;
      bytenr = node.childBlockPtr(slot);
      generation = node.childGeneration(slot);
    }
  }

  /**
   * The first child after a resume: a drop whose progress was recorded late may have freed it
   * already; then it is skipped (null).
   */
  private SharedBlockRefs.Info lookupResumed(long bytenr, int level) throws IOException {
    try {
      SharedBlockRefs.Info info = shared.lookup(bytenr, level);
      return info.refs() > 0 ? info : null;
    } catch (FormatException missing) {
      return null;
    }
  }

  private void enter(int level, TreeBlock node, SharedBlockRefs.Info info) {
    nodes[level] = node;
    slots[level] = 0;
    flags[level] = info.flags();
  }

  /** How the node at {@code level} references its children: by its address when FULL_BACKREF. */
  private long parentRef(int level) {
    return (flags[level] & ExtentItem.FLAG_FULL_BACKREF) != 0 ? nodes[level].bytenr() : 0;
  }

  /**
   * Drops a block that is a leaf or shared: a shared one loses this tree's reference only; an
   * exclusive leaf's data extents lose theirs first.
   */
  private void dropChild(
      long bytenr, long generation, int level, long parent, SharedBlockRefs.Info info)
      throws IOException {
    if (info.refs() > 1) {
      refs.treeBlockRef(bytenr, nodeSize, level, root, parent, -1);
      return;
    }
    TreeBlock leaf = reader.read(bytenr, generation, level);
    if (level != 0) throw new IllegalStateException("exclusive node " + bytenr + " is not a leaf");
    long ownRef = (info.flags() & ExtentItem.FLAG_FULL_BACKREF) != 0 ? bytenr : 0;
    shared.changeChildRefs(leaf.raw(), root, ownRef, -1);
    refs.treeBlockRef(bytenr, nodeSize, level, root, parent, -1);
  }
}
