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

  /** A run of extents, and where the next run starts (an extent's start, or the range's end). */
  record Run(List<AllocatedExtent> extents, long next) {}

  static List<AllocatedExtent> in(Tree extentTree, long start, long end, int nodeSize)
      throws IOException {
    return run(extentTree, start, end, nodeSize, Long.MAX_VALUE, null).extents();
  }

  /**
   * The extents that start in [start, end), in order, up to the first that starts once {@code
   * bytes} have been collected, except that with {@code rowOf} (a RAID5/6 chunk's row of a logical
   * address) a run never ends inside a row: parity is checked row by row against all of a row's
   * data.
   */
  static Run run(
      Tree extentTree, long start, long end, int nodeSize, long bytes, LongUnaryOperator rowOf)
      throws IOException {
    List<AllocatedExtent> out = new ArrayList<>();
    long collected = 0;
    Cursor c = extentTree.seekCeil(new Key(start, 0, 0));
    for (; c.valid() && Long.compareUnsigned(c.objectId(), end) < 0; c.next()) {
      int type = c.type();
      if (type != ItemType.EXTENT_ITEM && type != ItemType.METADATA_ITEM) continue;
      boolean skinny = type == ItemType.METADATA_ITEM;
      ExtentItem item = ExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize(), skinny);
      boolean tree = (item.flags() & ExtentItem.FLAG_TREE_BLOCK) != 0;
      long length = skinny ? nodeSize : c.offset();
      int level = skinny ? (int) c.offset() : tree ? item.treeBlockLevel() : -1;
      if (length <= 0 || c.objectId() + length > end) {
        throw new FormatException(
            "extent " + c.objectId() + "+" + length + " does not fit its chunk ending at " + end);
      }
      if (collected >= bytes && !out.isEmpty()) {
        long lastByte = out.get(out.size() - 1).end() - 1;
        if (rowOf == null || rowOf.applyAsLong(c.objectId()) != rowOf.applyAsLong(lastByte)) {
          return new Run(out, c.objectId());
        }
      }
      out.add(new AllocatedExtent(c.objectId(), length, tree, level, item.generation()));
      collected += length;
    }
    return new Run(out, end);
  }
}
