package org.jbtrfs.tree.check;

import org.jbtrfs.format.Align;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.tree.TreeBlock;

/**
 * A node's pointers: each to a non-zero, sector-aligned address, and none to a child newer than the
 * node itself (copy-on-write rewrites a node whenever a child of it changes, so a child's
 * generation is never above its parent's).
 */
final class NodeRules {
  private NodeRules() {}

  static void check(TreeBlock b, CheckContext ctx) throws FormatException {
    int n = b.nritems();
    long gen = b.generation();
    for (int i = 0; i < n; i++) {
      long ptr = b.childBlockPtr(i);
      if (ptr == 0) throw corrupt(b, i, "invalid NULL node pointer");
      if (!Align.isAligned(ptr, ctx.sectorSize())) {
        throw corrupt(
            b,
            i,
            "unaligned pointer, have "
                + Long.toUnsignedString(ptr)
                + " should be aligned to "
                + ctx.sectorSize());
      }
      long childGen = b.childGeneration(i);
      if (Long.compareUnsigned(childGen, gen) > 0) {
        throw corrupt(
            b,
            i,
            "child generation "
                + Long.toUnsignedString(childGen)
                + " newer than the node's generation "
                + Long.toUnsignedString(gen));
      }
    }
  }

  private static FormatException corrupt(TreeBlock b, int slot, String rule) {
    return new FormatException(ItemSlot.where(b, slot) + " key=" + b.key(slot) + ", " + rule);
  }
}
