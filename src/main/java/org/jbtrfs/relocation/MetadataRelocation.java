package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.txn.WriteEngine;

/**
 * Moves every tree block out of one metadata or system block group, in the running transaction:
 * each tree that reaches a block there copies-on-write its path down to it, and the copy goes where
 * the allocator allows (the group is closed to it). Found by walking the nodes of every tree (the
 * chunk tree for a system group). Subvolume trees, whose blocks snapshots may share, move theirs
 * through SharedBlockRelocation instead, one copy per block however many trees reach it; either way
 * the original ends up with no reference and is freed at the commit.
 */
final class MetadataRelocation {
  private static final Logger LOG = Logger.getLogger(MetadataRelocation.class.getName());

  /** A block of the group as one tree reaches it: the key and level to copy the path down to. */
  private record Reach(long tree, Key key, int level, long bytenr) {}

  private MetadataRelocation() {}

  /** What one step moved, and whether blocks are left for another. */
  record Moved(int blocks, boolean more) {}

  /**
   * Moves up to {@code maxBlocks} tree blocks of the group (a step's dirty blocks stay in memory
   * until its commit), highest level first.
   */
  static Moved run(WriteEngine engine, BlockGroup bg, int maxBlocks) throws IOException {
    List<long[]> all = blocksIn(engine, bg);
    if (all.isEmpty()) return new Moved(0, false);
    List<Long> subvolumes = new ArrayList<>();
    List<Reach> reaches = new ArrayList<>();
    for (long id : trees(engine, bg)) {
      if (ObjectIds.isFsTree(id)) {
        subvolumes.add(id);
        continue;
      }
      engine
          .tree(id)
          .visitBlocks(
              (level, key, bytenr) -> {
                if (bg.contains(bytenr)) {
                  reaches.add(new Reach(id, key == null ? new Key(0, 0, 0) : key, level, bytenr));
                }
              });
    }
    TreeBlockGraph graph = TreeBlockGraph.walk(engine, subvolumes);
    // Higher blocks first: a path copied down to a node is already writable for the blocks below,
    // and a block's ancestors in the group are always in the same step or an earlier one.
    reaches.sort((a, b) -> Integer.compare(b.level(), a.level()));
    Set<Long> chosen = new LinkedHashSet<>();
    for (Reach r : reaches) {
      if (chosen.size() >= maxBlocks && !chosen.contains(r.bytenr())) break;
      chosen.add(r.bytenr());
    }
    List<Long> shared = new ArrayList<>();
    for (TreeBlockGraph.Block b : graph.blocks()) {
      if (chosen.size() >= maxBlocks) break;
      if (bg.contains(b.bytenr) && chosen.add(b.bytenr)) shared.add(b.bytenr);
    }
    SharedBlockRelocation.move(engine, graph, shared);
    for (Reach r : reaches) {
      if (chosen.contains(r.bytenr())) engine.tree(r.tree()).cowPath(r.key(), r.level());
    }
    // Ancestors of a chosen block that lie in the group moved with it.
    int moved = 0;
    for (long[] b : all) {
      long left = references(engine, b[0], (int) b[1]);
      if (chosen.contains(b[0]) && left != 0) {
        throw new FormatException(
            "tree block "
                + b[0]
                + " keeps "
                + left
                + " references after every tree reaching it copied it");
      }
      if (left == 0) moved++;
    }
    if (moved == 0) {
      throw new FormatException(
          "tree blocks of group " + bg.start() + " are reached by no tree the walk knows");
    }
    LOG.fine("moved " + moved + " tree blocks out of " + bg.start());
    return new Moved(moved, moved < all.size());
  }

  /** [bytenr, level] of every tree block in the group. */
  private static List<long[]> blocksIn(WriteEngine engine, BlockGroup bg) throws IOException {
    List<long[]> out = new ArrayList<>();
    Tree extents = engine.tree(ObjectIds.EXTENT_TREE).readView();
    Cursor c = extents.seekCeil(new Key(bg.start(), 0, 0));
    for (; c.valid() && Long.compareUnsigned(c.objectId(), bg.end()) < 0; c.next()) {
      if (c.type() == ItemType.METADATA_ITEM) {
        // Freed in this transaction already (a change before this step copied it): not to move.
        if (references(engine, c.objectId(), (int) c.offset()) == 0) continue;
        out.add(new long[] {c.objectId(), c.offset()});
      } else if (c.type() == ItemType.EXTENT_ITEM) {
        throw new FormatException("data extent " + c.objectId() + " in a metadata block group");
      }
    }
    return out;
  }

  /**
   * The trees whose blocks may lie in the group: the chunk tree for a system group, else the root
   * tree and every tree it lists (a log tree there is refused: a commit clears it first).
   */
  private static List<Long> trees(WriteEngine engine, BlockGroup bg) throws IOException {
    if (bg.isSystem()) return List.of(ObjectIds.CHUNK_TREE);
    List<Long> ids = new ArrayList<>(List.of(ObjectIds.ROOT_TREE));
    for (long id : RootTreeIds.listed(engine)) {
      if (id == ObjectIds.TREE_LOG || id == ObjectIds.TREE_RELOC) {
        throw new FormatException("tree " + id + " cannot be relocated");
      }
      ids.add(id);
    }
    return ids;
  }

  /** The block's references, counting the changes not yet run. */
  private static long references(WriteEngine engine, long bytenr, int level) throws IOException {
    byte[] raw =
        engine.tree(ObjectIds.EXTENT_TREE).get(new Key(bytenr, ItemType.METADATA_ITEM, level));
    long refs = raw == null ? 0 : ExtentItem.parse(raw, 0, raw.length, true).refs();
    return refs + engine.refs().pendingRefChange(bytenr);
  }
}
