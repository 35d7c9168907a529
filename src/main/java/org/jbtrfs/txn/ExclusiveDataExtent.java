package org.jbtrfs.txn;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jbtrfs.extent.DelayedRefs;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.tree.WritableTree;

/**
 * Whether a data extent belongs to one file extent item alone, so that a nodatacow write may go
 * over it in place (the kernel's can_nocow_extent): its only reference is that item's, counted
 * once, no snapshot can share the leaf holding it (the extent is newer than the subvolume's
 * last_snapshot), and no reference change for it is waiting. Anything less certain is shared, and
 * the write copies on write as usual.
 */
final class ExclusiveDataExtent {
  private ExclusiveDataExtent() {}

  static boolean check(
      WriteEngine e, long bytenr, long numBytes, long root, long ino, long refOffset)
      throws IOException {
    DelayedRefs.Ref ours = new DelayedRefs.Ref(ItemType.EXTENT_DATA_REF, root, ino, refOffset);
    Map<DelayedRefs.Ref, Long> pending = e.refs().pendingRefs(bytenr);
    if (e.refs().isPendingNew(bytenr))
      // Allocated in this transaction: what is queued is all there is.
      return pending != null
          && pending.size() == 1
          && pending.getOrDefault(ours, 0L) == 1
          && Long.compareUnsigned(e.transid(), lastSnapshot(e, root)) > 0;
    if (pending != null && !pending.isEmpty()) return false;
    WritableTree extents = e.tree(ObjectIds.EXTENT_TREE);
    byte[] raw = extents.get(new Key(bytenr, ItemType.EXTENT_ITEM, numBytes));
    if (raw == null) return false;
    ExtentItem item = ExtentItem.parse(raw, 0, raw.length, false);
    if (item.refs() != 1 || (item.flags() & ExtentItem.FLAG_DATA) == 0) return false;
    if (Long.compareUnsigned(item.generation(), lastSnapshot(e, root)) <= 0) return false;
    List<ExtentItem.InlineRef> refs = item.inlineRefs();
    if (refs.size() != 1) return false;
    ExtentItem.InlineRef r = refs.get(0);
    return r.type() == ItemType.EXTENT_DATA_REF
        && r.root() == root
        && r.objectId() == ino
        && r.offset() == refOffset
        && r.count() == 1;
  }

  private static long lastSnapshot(WriteEngine e, long root) throws IOException {
    WritableTree rootTree = e.tree(ObjectIds.ROOT_TREE);
    byte[] item = rootTree.get(RootItems.keyOf(rootTree, root));
    return RootItem.parse(item, 0, item.length).lastSnapshot();
  }
}
