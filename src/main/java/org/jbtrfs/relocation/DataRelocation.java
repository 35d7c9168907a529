package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;
import org.jbtrfs.volume.RaidProfile;

/**
 * Moves every data extent out of one block group, in the running transaction: each extent is copied
 * whole to a new place (outside the group, which is closed to allocation), with its checksums, and
 * every file extent item that points at it, in every subvolume and snapshot, is repointed there. An
 * extent stays one extent, so data shared by snapshots and reflinks stays shared; each item's back
 * reference moves with it. The commit that follows frees the old extents, and the one after that
 * can remove the emptied group.
 *
 * <p>The leaves holding those items are rewritten by SharedBlockRelocation: a leaf snapshots share
 * is copied once for all of them and stays shared, as the kernel's reloc trees keep it.
 */
final class DataRelocation {
  private static final Logger LOG = Logger.getLogger(DataRelocation.class.getName());

  /** Queued data above which the copies are written out before the next extent. */
  private static final long QUEUED_LIMIT = 64L << 20;

  /**
   * What one run moved; {@code stoppedBy} is the reason it stopped early (no room for the next
   * extent, or a read that failed), with everything before it moved.
   */
  record Moved(int extents, long bytes, boolean more, IOException stoppedBy) {}

  private static final long METADATA = org.jbtrfs.format.BlockGroupItem.TYPE_METADATA;

  private DataRelocation() {}

  /**
   * Moves extents of {@code bg} until {@code budget} bytes have moved (at least one extent), so a
   * live mount's requests wait for one step, not for the whole group; {@code more} says whether
   * extents are left for another step.
   */
  static Moved run(WriteEngine engine, BlockGroup bg, RaidProfile target, long budget)
      throws IOException {
    List<long[]> extents = extentsIn(engine, bg);
    if (extents.isEmpty()) return new Moved(0, 0, false, null);
    TreeBlockGraph graph = TreeBlockGraph.walk(engine, FileExtentUsers.subvolumeTrees(engine));
    Map<Long, Set<Long>> users = FileExtentUsers.leaves(engine, graph, bg.start(), bg.end());
    List<long[]> step = new ArrayList<>();
    Set<Long> leaves = new LinkedHashSet<>();
    long planned = 0;
    for (long[] x : extents) {
      if (!step.isEmpty() && planned >= budget) break;
      Set<Long> us = users.get(x[0]);
      if (us == null) {
        throw new FormatException(
            "data extent " + x[0] + " has no file extent item in any subvolume tree");
      }
      step.add(x);
      leaves.addAll(us);
      planned += x[1];
    }
    boolean left = step.size() < extents.size();
    try {
      // The leaves and the nodes above them are copied: room for them first, so that running out
      // of metadata stops the balance cleanly instead of failing half-way.
      long node = engine.fs().superblock().nodeSize();
      Balance.ensureRoom(engine, null, METADATA, (graph.withAncestors(leaves).size() + 64L) * node);
    } catch (NoSpaceException full) {
      return new Moved(0, 0, true, full);
    }
    Map<Long, Long> moved = new HashMap<>();
    Map<Long, Long> lengths = new HashMap<>();
    IOException stoppedBy = null;
    long bytes = 0;
    long queued = 0;
    for (long[] x : step) {
      long from = x[0];
      long len = x[1];
      long to;
      try {
        to = engine.allocateRelocatedData(len, target);
      } catch (NoSpaceException full) {
        stoppedBy = full;
        break;
      }
      ExtentCopy.Checksums sums;
      try {
        sums = ExtentCopy.copy(engine, from, to, len);
      } catch (IOException unreadable) {
        engine.freeUnusedData(to, len); // also drops the queued copy
        stoppedBy = unreadable;
        break;
      }
      ExtentCopy.record(engine, sums);
      engine.refs().newDataExtent(to, len);
      moved.put(from, to);
      lengths.put(from, len);
      bytes += len;
      queued += len;
      if (queued >= QUEUED_LIMIT) {
        engine.writeQueuedData();
        queued = 0;
      }
    }
    if (moved.isEmpty()) return new Moved(0, 0, true, stoppedBy);
    Set<Long> rewrite = new LinkedHashSet<>();
    for (long from : moved.keySet()) rewrite.addAll(users.get(from));
    SharedBlockRelocation.move(engine, graph, rewrite, repoint(moved, lengths));
    for (Map.Entry<Long, Long> m : lengths.entrySet()) {
      requireUnreferenced(engine, m.getKey(), m.getValue());
    }
    LOG.fine("moved " + moved.size() + " data extents (" + bytes + " bytes) out of " + bg.start());
    return new Moved(
        moved.size(), bytes, left || stoppedBy != null || moved.size() < step.size(), stoppedBy);
  }

  /** Points each item of a leaf's copy that names a moved extent at the extent's new place. */
  private static SharedBlockRelocation.LeafEdit repoint(
      Map<Long, Long> moved, Map<Long, Long> lengths) {
    return (bytenr, copy) -> {
      boolean[] changed = {false};
      FileExtentUsers.forEachExtent(
          copy,
          (off, disk) -> {
            Long to = moved.get(disk);
            if (to == null) return;
            if (Le.u64(copy, off + FileExtentItem.OFF_DISK_NUM_BYTES) != lengths.get(disk)) {
              throw new FormatException(
                  "file extent item in leaf " + bytenr + " names part of data extent " + disk);
            }
            Le.put64(copy, off + FileExtentItem.OFF_DISK_BYTENR, to);
            changed[0] = true;
          });
      return changed[0];
    };
  }

  /** [start, length] of every extent item in the group, by address. */
  private static List<long[]> extentsIn(WriteEngine engine, BlockGroup bg) throws IOException {
    List<long[]> out = new ArrayList<>();
    WritableTree extentTree = engine.tree(ObjectIds.EXTENT_TREE);
    Cursor c = extentTree.readView().seekCeil(new Key(bg.start(), 0, 0));
    for (; c.valid() && Long.compareUnsigned(c.objectId(), bg.end()) < 0; c.next()) {
      if (c.type() == ItemType.EXTENT_ITEM) out.add(new long[] {c.objectId(), c.offset()});
      else if (c.type() == ItemType.METADATA_ITEM) {
        throw new FormatException("tree block " + c.objectId() + " in data block group");
      }
    }
    return out;
  }

  /**
   * Every reference must have moved: one left behind would be a pointer nobody repointed (a tree
   * the walk did not see), and freeing the old extent under it would lose data. Failing here fails
   * the transaction before anything of it is written.
   */
  private static void requireUnreferenced(WriteEngine engine, long from, long len)
      throws IOException {
    byte[] raw = engine.tree(ObjectIds.EXTENT_TREE).get(new Key(from, ItemType.EXTENT_ITEM, len));
    long refs = raw == null ? 0 : ExtentItem.parse(raw, 0, raw.length, false).refs();
    long left = refs + engine.refs().pendingRefChange(from);
    if (left != 0) {
      throw new FormatException(
          "data extent "
              + from
              + " keeps "
              + left
              + " references after relocation repointed every file extent item found");
    }
  }
}
