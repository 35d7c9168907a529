package org.jbtrfs.tree.check;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.TreeBlock;

/**
 * The kernel's tree checker beyond structure: the content of every item of a leaf and every pointer
 * of a node, by the rules of fs/btrfs/tree-checker.c. Runs after the structural check (which
 * guarantees every item lies inside the block) on every block read from a device and on every block
 * before it is written. A failure names the block, slot, key and rule.
 */
public final class ItemChecker {
  private ItemChecker() {}

  public static void check(TreeBlock b, CheckContext ctx) throws FormatException {
    if (!ctx.enabled()) return;
    // Every block on disk went through a commit, which marks it written.
    if ((b.flags() & TreeHeader.FLAG_WRITTEN) == 0) {
      throw new FormatException(
          ItemSlot.where(b, 0)
              + ", invalid flag for "
              + (b.isLeaf() ? "leaf" : "node")
              + ", WRITTEN not set");
    }
    if (b.isLeaf()) {
      LeafRules.check(b, ctx);
    } else {
      NodeRules.check(b, ctx);
    }
  }
}
