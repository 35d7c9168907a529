package org.jbtrfs.scrub;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;

/**
 * What a scrub reads: the extents the extent tree says are allocated in a logical range (a chunk),
 * from its EXTENT_ITEMs (data, and tree blocks without the skinny-metadata feature) and
 * METADATA_ITEMs (tree blocks, whose key offset is the level).
 */
final class AllocatedExtents {
  private AllocatedExtents() {}

  /** A piece [from, to) of an extent: all of it, or part of a data extent a step ends inside. */
  record Piece(AllocatedExtent extent, long from, long to) {}

  /**
   * A run of pieces, where the next run starts, and the extent that start lies inside (-1 when it
   * is an extent's start or the range's end).
   */
  record Run(List<Piece> pieces, long next, long inside) {}

  static List<AllocatedExtent> in(Tree extentTree, long start, long end, int nodeSize)
      throws IOException {
    List<AllocatedExtent> out = new ArrayList<>();
    for (Piece p : run(extentTree, start, -1, end, nodeSize, Long.MAX_VALUE, a -> a).pieces()) {
      out.add(p.extent());
    }
    return out;
  }

  /**
   * The allocated bytes from {@code start} (inside extent {@code inside}, or -1) to {@code end}, in
   * order, until about {@code bytes} are collected. A run ends only where {@code boundary} (the
   * first address at or after a given one where a run may end: a sector, or for RAID5/6 a row,
   * whose parity is checked against all its data at once) allows; a data extent longer than what is
   * left may be cut there, a tree block never is.
   */
  static Run run(
      Tree extentTree,
      long start,
      long inside,
      long end,
      int nodeSize,
      long bytes,
      LongUnaryOperator boundary)
      throws IOException {
    List<Piece> out = new ArrayList<>();
    long collected = 0;
    Cursor c = extentTree.seekCeil(new Key(inside >= 0 ? inside : start, 0, 0));
    for (; c.valid() && Long.compareUnsigned(c.objectId(), end) < 0; c.next()) {
      int type = c.type();
      if (type != ItemType.EXTENT_ITEM && type != ItemType.METADATA_ITEM) continue;
      AllocatedExtent e = parse(c, end, nodeSize);
      long from = Math.max(e.bytenr(), start);
      if (e.end() <= from) continue; // the extent a run ended inside is gone, or was finished
      if (collected >= bytes && !out.isEmpty()) {
        long lastTo = out.get(out.size() - 1).to();
        if (Long.compareUnsigned(boundary.applyAsLong(lastTo), from) <= 0) {
          return new Run(out, from, from > e.bytenr() ? e.bytenr() : -1);
        }
      }
      long to = e.end();
      if (!e.treeBlock() && bytes != Long.MAX_VALUE) {
        long cut = boundary.applyAsLong(from + Math.max(1, bytes - collected));
        if (Long.compareUnsigned(cut, to) < 0) to = cut;
      }
      out.add(new Piece(e, from, to));
      collected += to - from;
      if (to < e.end()) return new Run(out, to, e.bytenr());
    }
    return new Run(out, end, -1);
  }

  private static AllocatedExtent parse(Cursor c, long end, int nodeSize) throws IOException {
    boolean skinny = c.type() == ItemType.METADATA_ITEM;
    ExtentItem item = ExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize(), skinny);
    boolean tree = (item.flags() & ExtentItem.FLAG_TREE_BLOCK) != 0;
    long length = skinny ? nodeSize : c.offset();
    int level = skinny ? (int) c.offset() : tree ? item.treeBlockLevel() : -1;
    if (length <= 0 || c.objectId() + length > end) {
      throw new FormatException(
          "extent " + c.objectId() + "+" + length + " does not fit its chunk ending at " + end);
    }
    return new AllocatedExtent(c.objectId(), length, tree, level, item.generation());
  }
}
