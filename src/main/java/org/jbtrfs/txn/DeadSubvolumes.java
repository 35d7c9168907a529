package org.jbtrfs.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.extent.TreeDrop;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.RootItemLayout;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;

/**
 * Deleted subvolumes whose trees are still being dropped, recorded as the kernel records them: the
 * root item stays with refs 0 and its drop_progress and drop_level, and an ORPHAN_ITEM keyed by the
 * subvolume's id in the root tree says it is to be dropped. Either driver can finish a drop the
 * other began, after an unmount or a crash.
 */
public final class DeadSubvolumes {
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(DeadSubvolumes.class.getName());

  private DeadSubvolumes() {}

  /**
   * Leaves dropped per transaction: bounds the delayed references (memory) and how long a piece
   * holds the write lock. A system property lets tests slow a drop down to interrupt it.
   */
  public static final long LEAVES_PER_PIECE = Long.getLong("jbtrfs.dropLeavesPerCommit", 256);

  /** Marks subvolume {@code id}, already unlinked, dead: refs 0 and an orphan item. */
  public static void markDead(WriteEngine engine, long id) throws IOException {
    engine.forgetTree(id);
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    Key key = RootItems.keyOf(roots, id);
    byte[] item = roots.get(key);
    Le.put32(item, RootItemLayout.REFS, 0);
    java.util.Arrays.fill(
        item, RootItemLayout.DROP_PROGRESS, RootItemLayout.DROP_LEVEL + 1, (byte) 0);
    roots.put(key, item);
    roots.put(orphanKey(id), new byte[0]);
  }

  /** Ids of the subvolumes waiting to be dropped, lowest first (the kernel's order). */
  public static List<Long> pending(WriteEngine engine) throws IOException {
    List<Long> ids = new ArrayList<>();
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    Cursor c = roots.readView().seekCeil(orphanKey(0));
    for (;
        c.valid() && c.objectId() == ObjectIds.ORPHAN && c.type() == ItemType.ORPHAN_ITEM;
        c.next()) {
      ids.add(c.offset());
    }
    return ids;
  }

  /**
   * Drops about {@code leafBudget} leaves of dead subvolume {@code id} in the running transaction
   * and records where it stopped; once its tree is gone, its root item and orphan item go too.
   * Returns true when the subvolume is gone.
   */
  public static boolean dropSome(WriteEngine engine, long id, long leafBudget) throws IOException {
    // Its tree may have been open for files that lived on after the delete; it is not now.
    engine.forgetTree(id);
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    Cursor c = roots.readView().seekCeil(new Key(id, ItemType.ROOT_ITEM, 0));
    if (!c.valid() || c.objectId() != id || c.type() != ItemType.ROOT_ITEM) {
      // The kernel too removes an orphan item whose root is already gone.
      roots.delete(orphanKey(id));
      return true;
    }
    Key key = c.key();
    byte[] item = roots.get(key);
    RootItem root = RootItem.parse(item, 0, item.length);
    if (root.refs() != 0) {
      throw new FormatException(
          "subvolume " + id + " has an orphan item but " + root.refs() + " refs");
    }
    Key progressKey = Key.read(item, RootItemLayout.DROP_PROGRESS);
    int progressLevel = item[RootItemLayout.DROP_LEVEL] & 0xff;
    // As the kernel reads it: no objectid means the drop has not started.
    TreeDrop.Progress from =
        progressKey.objectId() == 0 ? null : new TreeDrop.Progress(progressKey, progressLevel);
    TreeDrop.Progress next =
        engine.treeDrop(id).run(root.bytenr(), root.generation(), root.level(), from, leafBudget);
    if (next == null) {
      roots.delete(key);
      roots.delete(orphanKey(id));
      LOG.info("deleted subvolume " + id + " dropped");
      return true;
    }
    LOG.info(
        "deleted subvolume " + id + ": dropped up to " + next.key() + " at level " + next.level());
    next.key().write(item, RootItemLayout.DROP_PROGRESS);
    item[RootItemLayout.DROP_LEVEL] = (byte) next.level();
    roots.put(key, item);
    return false;
  }

  /** Drops every dead subvolume to the end, committing after each piece (offline commands). */
  public static int dropAll(WriteEngine engine, long leafBudget) throws IOException {
    int dropped = 0;
    for (long id : pending(engine)) {
      while (!dropSome(engine, id, leafBudget)) engine.commit();
      engine.commit();
      dropped++;
    }
    return dropped;
  }

  private static Key orphanKey(long id) {
    return new Key(ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, id);
  }
}
