package org.jbtrfs.txn;

import java.io.IOException;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.extent.BlockGroups;
import org.jbtrfs.extent.FreeSpaceTree;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.WritableTree;

/** Records changed block groups: the used bytes in their item and their free space entries. */
final class BlockGroupWriter {
  private BlockGroupWriter() {}

  /** Returns true if any block group was rewritten. */
  static boolean writeDirty(WriteEngine engine, BlockGroups groups) throws IOException {
    boolean bgTree =
        (engine.fs().superblock().compatRoFlags() & FeatureFlags.COMPAT_RO_BLOCK_GROUP_TREE) != 0;
    WritableTree items = engine.tree(bgTree ? ObjectIds.BLOCK_GROUP_TREE : ObjectIds.EXTENT_TREE);
    WritableTree fst = engine.tree(ObjectIds.FREE_SPACE_TREE);
    boolean any = false;
    for (BlockGroup bg : groups.dirty()) {
      // Mark first: rewriting may allocate tree blocks, which dirties a group again.
      bg.markWritten();
      Key key = new Key(bg.start(), ItemType.BLOCK_GROUP_ITEM, bg.length());
      byte[] item = items.get(key);
      if (item == null) throw new FormatException("block group item " + bg.start() + " missing");
      Le.put64(item, 0, bg.used());
      items.put(key, item);
      FreeSpaceTree.rewrite(fst, bg, groups.committedFree(bg));
      any = true;
    }
    return any;
  }
}
