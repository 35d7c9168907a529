package org.jbtrfs.txn;

import java.io.IOException;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;

/** Points ROOT_ITEMs in the root tree at the new roots of trees changed in a transaction. */
final class RootItems {
  private static final int OFF_GENERATION = 160;
  private static final int OFF_BYTENR = 176;
  private static final int OFF_LEVEL = 238;
  private static final int OFF_GENERATION_V2 = 239;
  private static final int OFF_CTRANSID = 295;
  private static final int V2_SIZE = 375;

  private RootItems() {}

  /** The key of tree {@code id}'s root item (snapshots carry their creation transid as offset). */
  static Key keyOf(WritableTree rootTree, long id) throws IOException {
    Cursor c = rootTree.readView().seekCeil(new Key(id, ItemType.ROOT_ITEM, 0));
    if (!c.valid() || c.objectId() != id || c.type() != ItemType.ROOT_ITEM) {
      throw new FormatException("tree " + id + " has no root item");
    }
    return c.key();
  }

  /** Updates the root item of {@code tree}; returns true if anything changed. */
  static boolean update(WritableTree rootTree, WritableTree tree, long transid) throws IOException {
    Key key = keyOf(rootTree, tree.owner());
    byte[] item = rootTree.get(key);
    if (item.length < RootItem.LEGACY_SIZE)
      throw new FormatException("root item of " + tree.owner() + " too small");
    if (Le.u64(item, OFF_BYTENR) == tree.rootBytenr()
        && Le.u64(item, OFF_GENERATION) == tree.rootGeneration()
        && (item[OFF_LEVEL] & 0xff) == tree.rootLevel()) {
      return false;
    }
    Le.put64(item, OFF_BYTENR, tree.rootBytenr());
    Le.put64(item, OFF_GENERATION, tree.rootGeneration());
    item[OFF_LEVEL] = (byte) tree.rootLevel();
    if (item.length >= V2_SIZE) {
      Le.put64(item, OFF_GENERATION_V2, tree.rootGeneration());
      if (ObjectIds.isFsTree(tree.owner())) Le.put64(item, OFF_CTRANSID, transid);
    }
    rootTree.put(key, item);
    return true;
  }
}
