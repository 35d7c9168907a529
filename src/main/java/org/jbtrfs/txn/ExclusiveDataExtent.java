package org.jbtrfs.txn;

import java.io.IOException;
import java.util.Map;
import org.jbtrfs.extent.DelayedRefs;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.tree.WritableTree;

/**
 * Whether a data extent belongs to one file alone, so that a write may go over it in place (the
 * kernel's can_nocow_extent): every reference is that file's, at the one (root, inode, offset) key
 * its items share (pieces of one preallocated extent, bookends of one overwritten extent), no
 * snapshot can share the leaves holding them (the extent is newer than the subvolume's
 * last_snapshot), and no queued reference change names anyone else. Anything less certain is
 * shared, and the write copies on write as usual.
 */
final class ExclusiveDataExtent {
  private ExclusiveDataExtent() {}

  static boolean check(
      WriteEngine e, long bytenr, long numBytes, long root, long ino, long refOffset)
      throws IOException {
    DelayedRefs.Ref ours = new DelayedRefs.Ref(ItemType.EXTENT_DATA_REF, root, ino, refOffset);
    Map<DelayedRefs.Ref, Long> pending = e.refs().pendingRefs(bytenr);
    long queued = 0;
    if (pending != null) {
      for (Map.Entry<DelayedRefs.Ref, Long> m : pending.entrySet()) {
        if (!m.getKey().equals(ours)) return false;
        queued += m.getValue();
      }
    }
    long committed = 0;
    long generation = e.transid();
    if (!e.refs().isPendingNew(bytenr)) {
      WritableTree extents = e.tree(ObjectIds.EXTENT_TREE);
      byte[] raw = extents.get(new Key(bytenr, ItemType.EXTENT_ITEM, numBytes));
      if (raw == null) return false;
      ExtentItem item = ExtentItem.parse(raw, 0, raw.length, false);
      if ((item.flags() & ExtentItem.FLAG_DATA) == 0) return false;
      for (ExtentItem.InlineRef r : item.inlineRefs()) {
        boolean mine =
            r.type() == ItemType.EXTENT_DATA_REF
                && r.root() == root
                && r.objectId() == ino
                && r.offset() == refOffset;
        if (!mine) return false;
        committed += r.count();
      }
      // References kept in their own items (not inline) are someone else's as far as we know.
      if (committed != item.refs()) return false;
      generation = item.generation();
    }
    if (committed + queued < 1) return false;
    return Long.compareUnsigned(generation, lastSnapshot(e, root)) > 0;
  }

  private static long lastSnapshot(WriteEngine e, long root) throws IOException {
    WritableTree rootTree = e.tree(ObjectIds.ROOT_TREE);
    byte[] item = rootTree.get(RootItems.keyOf(rootTree, root));
    return RootItem.parse(item, 0, item.length).lastSnapshot();
  }
}
