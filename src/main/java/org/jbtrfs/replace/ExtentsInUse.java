package org.jbtrfs.replace;

import java.io.IOException;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;

/** Whether the committed extent tree has anything allocated in a logical range. */
final class ExtentsInUse {
  private ExtentsInUse() {}

  /**
   * True when an extent item overlaps [from, to): the last one that starts before {@code to} is the
   * only candidate, since extents do not overlap each other.
   */
  static boolean any(Filesystem fs, long from, long to) throws IOException {
    Tree extents = fs.treeOf(ObjectIds.EXTENT_TREE);
    if (extents == null) throw new FormatException("no extent tree: nothing says what is in use");
    Cursor c = extents.seekFloor(new Key(to - 1, 0xff, -1L));
    for (; c != null && c.valid(); c.prev()) {
      int type = c.type();
      if (type != ItemType.EXTENT_ITEM && type != ItemType.METADATA_ITEM) continue;
      long length = type == ItemType.METADATA_ITEM ? fs.superblock().nodeSize() : c.offset();
      return Long.compareUnsigned(c.objectId() + length, from) > 0;
    }
    return false;
  }
}
