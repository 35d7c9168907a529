package org.jbtrfs.tree;

import java.io.IOException;
import java.util.List;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.TreeHeader;

/**
 * Keeps a node's children from withering after deletes: a child below a quarter full merges with a
 * neighbour when both fit in one block, otherwise the two share their contents evenly. Both blocks
 * are COWed first, so the parent's pointers are rewritten with the new addresses.
 */
final class Siblings {
  private final BlockCow cow;
  private final int nodeSize;

  Siblings(BlockCow cow, int nodeSize) {
    this.cow = cow;
    this.nodeSize = nodeSize;
  }

  int leafCapacity() {
    return nodeSize - TreeHeader.SIZE;
  }

  int maxPtrs() {
    return (nodeSize - TreeHeader.SIZE) / TreeHeader.KEY_PTR_SIZE;
  }

  boolean underfull(byte[] raw, int level) {
    TreeBlock b = new TreeBlock(0, raw);
    int n = b.nritems();
    if (level > 0) return n < maxPtrs() / 4;
    int used = n == 0 ? 0 : n * TreeHeader.ITEM_SIZE + (raw.length - b.itemDataOffset(n - 1));
    return used < leafCapacity() / 4;
  }

  /** Whether {@code child} (changed in this transaction) has withered below a quarter full. */
  boolean needsRebalance(KeyPtr child, int level) {
    byte[] raw = cow.writableOrNull(child.bytenr());
    return raw != null && underfull(raw, level);
  }

  /**
   * Rebalances child {@code slot} (already writable) with its left neighbour, else its right one.
   */
  void rebalance(List<KeyPtr> ptrs, int slot, int level) throws IOException {
    if (!needsRebalance(ptrs.get(slot), level)) return;
    if (slot > 0) pair(ptrs, slot - 1, level);
    else if (slot + 1 < ptrs.size()) pair(ptrs, slot, level);
  }

  /** Merges or evens out children {@code i} and {@code i + 1}, updating {@code ptrs}. */
  private void pair(List<KeyPtr> ptrs, int i, int level) throws IOException {
    KeyPtr lp = ptrs.get(i);
    KeyPtr rp = ptrs.get(i + 1);
    BlockCow.Writable l = cow.writable(lp.bytenr(), lp.generation(), level, false);
    BlockCow.Writable r = cow.writable(rp.bytenr(), rp.generation(), level, false);
    Key rightKey;
    boolean merged;
    if (level == 0) {
      LeafItems items = LeafItems.decode(l.raw());
      items.addAll(LeafItems.decode(r.raw()));
      int[] cuts = SplitPlan.leafCuts(items, leafCapacity(), -1, false);
      merged = cuts.length == 0;
      int cut = merged ? items.size() : cuts[0];
      items.encode(l.raw(), 0, cut);
      if (!merged) items.encode(r.raw(), cut, items.size());
      rightKey = merged ? null : items.keys.get(cut);
    } else {
      List<KeyPtr> kids = KeyPtr.decode(l.raw());
      kids.addAll(KeyPtr.decode(r.raw()));
      merged = kids.size() <= maxPtrs();
      int cut = merged ? kids.size() : kids.size() / 2;
      KeyPtr.encode(kids, l.raw(), 0, cut);
      if (!merged) KeyPtr.encode(kids, r.raw(), cut, kids.size());
      rightKey = merged ? null : kids.get(cut).key();
    }
    long gen = cow.transid();
    ptrs.set(i, new KeyPtr(lp.key(), l.bytenr(), gen)); // left's first key is unchanged
    if (merged) {
      cow.free(r.bytenr(), level);
      ptrs.remove(i + 1);
    } else {
      ptrs.set(i + 1, new KeyPtr(rightKey, r.bytenr(), gen));
    }
  }
}
