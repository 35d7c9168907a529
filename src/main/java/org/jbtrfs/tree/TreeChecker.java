package org.jbtrfs.tree;

import java.util.Arrays;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.TreeHeader;

/**
 * Structural validation of a tree block before anyone trusts it: bounds of every item, sorted keys,
 * sane level and item count. A block that passes cannot make the decoders index out of range.
 */
public final class TreeChecker {
  private TreeChecker() {}

  public static void check(TreeBlock b, long expectedBytenr, byte[] fsid, int expectedLevel)
      throws FormatException {
    byte[] raw = b.raw();
    String where = "tree block " + expectedBytenr;
    if (b.bytenr() != expectedBytenr) {
      throw new FormatException(where + ": header says bytenr " + b.bytenr());
    }
    if (!Arrays.equals(raw, TreeHeader.FSID, TreeHeader.FSID + 16, fsid, 0, 16)) {
      throw new FormatException(where + ": fsid does not match the filesystem");
    }
    int level = b.level();
    if (level >= TreeHeader.MAX_LEVEL) throw new FormatException(where + ": level " + level);
    if (expectedLevel >= 0 && level != expectedLevel) {
      throw new FormatException(where + ": level " + level + ", parent expects " + expectedLevel);
    }
    int n = b.nritems();
    int slot = level == 0 ? TreeHeader.ITEM_SIZE : TreeHeader.KEY_PTR_SIZE;
    if (n < 0 || (long) n * slot > raw.length - TreeHeader.SIZE) {
      throw new FormatException(where + ": item count " + n + " does not fit");
    }
    if (level > 0 && n == 0) throw new FormatException(where + ": empty node");
    for (int i = 1; i < n; i++) {
      if (Key.read(raw, b.keyOffset(i - 1)).compareTo(raw, b.keyOffset(i)) >= 0) {
        throw new FormatException(where + ": keys out of order at slot " + i);
      }
    }
    if (level == 0) checkLeafItems(b, where, n);
  }

  /**
   * Item data grows down from the block end, back to back, as the kernel's check_leaf demands: the
   * first item ends at the block's end and each next one where the one before it starts, all inside
   * the block.
   */
  private static void checkLeafItems(TreeBlock b, String where, int n) throws FormatException {
    int dataAreaStart = TreeHeader.SIZE + n * TreeHeader.ITEM_SIZE;
    long prevStart = b.size();
    for (int i = 0; i < n; i++) {
      long off = b.itemDataOffset(i);
      long size = b.itemDataSize(i);
      if (size < 0 || off < dataAreaStart || off + size > b.size()) {
        throw new FormatException(where + ": item " + i + " data out of bounds");
      }
      if (off + size != prevStart) {
        throw new FormatException(
            where
                + ": slot "
                + i
                + ", unexpected item end, have "
                + (off + size - TreeHeader.SIZE)
                + " expect "
                + (prevStart - TreeHeader.SIZE));
      }
      prevStart = off;
    }
  }
}
