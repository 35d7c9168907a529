package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.txn.WriteEngine;

/**
 * The ids of every tree the root tree lists (a ROOT_ITEM each), as the running transaction has it.
 */
final class RootTreeIds {
  private RootTreeIds() {}

  /** Distinct ids, lowest first (unsigned). */
  static List<Long> listed(WriteEngine engine) throws IOException {
    TreeSet<Long> ids = new TreeSet<>(Long::compareUnsigned);
    Tree roots = engine.tree(ObjectIds.ROOT_TREE).readView();
    for (Cursor c = roots.seekCeil(new Key(0, 0, 0)); c.valid(); c.next()) {
      if (c.type() == ItemType.ROOT_ITEM) ids.add(c.objectId());
    }
    return new ArrayList<>(ids);
  }
}
