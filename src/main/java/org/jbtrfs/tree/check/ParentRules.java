package org.jbtrfs.tree.check;

import java.util.Arrays;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.TreeBlock;

/**
 * What a block must agree on with the way it was reached: the tree it was read for owns it, and its
 * first key is the key its parent's pointer carries. A block written to the wrong place, or a
 * pointer aimed at a block of another tree, passes every check of the block alone.
 */
public final class ParentRules {
  private ParentRules() {}

  /**
   * {@code treeId} (0 = unknown) is the tree the block was read for. Trees other than file trees
   * own every block of theirs; file trees share blocks with snapshots, so any file tree may own
   * them. Log and relocation trees are keyed by the tree they serve, which is not known here.
   */
  public static void checkOwner(TreeBlock b, long treeId, CheckContext ctx) throws FormatException {
    if (!ctx.enabled() || treeId == 0) return;
    if (treeId == ObjectIds.TREE_LOG || treeId == ObjectIds.TREE_RELOC) return;
    long owner = b.owner();
    boolean ok = ObjectIds.isFsTree(treeId) ? ObjectIds.isFsTree(owner) : owner == treeId;
    if (!ok) {
      throw new FormatException(
          "corrupted "
              + (b.isLeaf() ? "leaf" : "node")
              + ", root="
              + Long.toUnsignedString(treeId)
              + " block="
              + Long.toUnsignedString(b.logical())
              + " owner mismatch, have "
              + Long.toUnsignedString(owner)
              + " expect "
              + (ObjectIds.isFsTree(treeId)
                  ? "[256, 18446744073709551360]"
                  : Long.toUnsignedString(treeId)));
    }
  }

  /**
   * The block's first key must equal the parent's key at {@code keyOff} in {@code parentRaw} (null
   * = no parent). Blocks newer than the last commit (a log tree's) are skipped, as the kernel does
   * for blocks of a running transaction.
   */
  public static void checkFirstKey(TreeBlock b, byte[] parentRaw, int keyOff, CheckContext ctx)
      throws FormatException {
    if (!ctx.enabled() || parentRaw == null) return;
    if (Long.compareUnsigned(b.generation(), ctx.committedGeneration()) > 0) return;
    if (b.nritems() == 0) {
      throw new FormatException(
          "invalid tree nritems, bytenr="
              + Long.toUnsignedString(b.logical())
              + " nritems=0 expect >0");
    }
    int first = b.keyOffset(0);
    if (!Arrays.equals(b.raw(), first, first + Key.SIZE, parentRaw, keyOff, keyOff + Key.SIZE)) {
      throw new FormatException(
          "tree first key mismatch detected, bytenr="
              + Long.toUnsignedString(b.logical())
              + " key expected="
              + Key.read(parentRaw, keyOff)
              + " has="
              + b.key(0));
    }
  }
}
