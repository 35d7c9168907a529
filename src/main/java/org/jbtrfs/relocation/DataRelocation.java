package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * <p>The repointing is an ordinary copy-on-write change of each tree, so a leaf that snapshots
 * shared is copied once per tree that points through it (the kernel's relocation keeps such leaves
 * shared through its reloc trees; here they take a leaf each).
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
    Map<Long, List<FileExtentUsers.User>> users = FileExtentUsers.of(engine, bg.start(), bg.end());
    int moved = 0;
    long bytes = 0;
    long queued = 0;
    for (long[] x : extents) {
      if (moved > 0 && bytes >= budget) return new Moved(moved, bytes, true, null);
      long from = x[0];
      long len = x[1];
      List<FileExtentUsers.User> us = users.get(from);
      if (us == null) {
        throw new FormatException(
            "data extent " + from + " has no file extent item in any subvolume tree");
      }
      long to;
      try {
        // The repointing copies tree paths: room for them first, so that running out of
        // metadata stops the balance cleanly instead of failing half-way through an extent.
        long node = engine.fs().superblock().nodeSize();
        Balance.ensureRoom(engine, null, METADATA, (us.size() * 8L + 64) * node);
        to = engine.allocateRelocatedData(len, target);
      } catch (NoSpaceException full) {
        return new Moved(moved, bytes, true, full);
      }
      ExtentCopy.Checksums sums;
      try {
        sums = ExtentCopy.copy(engine, from, to, len);
      } catch (IOException unreadable) {
        engine.freeUnusedData(to, len); // also drops the queued copy
        return new Moved(moved, bytes, true, unreadable);
      }
      ExtentCopy.record(engine, sums);
      for (FileExtentUsers.User u : us) repoint(engine, u, from, to, len);
      requireUnreferenced(engine, from, len);
      moved++;
      bytes += len;
      queued += len;
      if (queued >= QUEUED_LIMIT) {
        engine.writeQueuedData();
        queued = 0;
      }
    }
    LOG.fine("moved " + moved + " data extents (" + bytes + " bytes) out of " + bg.start());
    return new Moved(moved, bytes, false, null);
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
   * Points one file extent item at the extent's new place and moves its back reference: after the
   * copy-on-write the item's leaf belongs to its tree, so the reference is keyed by that tree.
   */
  private static void repoint(
      WriteEngine engine, FileExtentUsers.User u, long from, long to, long len) throws IOException {
    WritableTree tree = engine.tree(u.root());
    byte[] item = tree.get(u.key());
    if (item == null || item.length < FileExtentItem.SIZE) {
      throw new FormatException("file extent item " + u.key() + " of tree " + u.root() + " gone");
    }
    if (Le.u64(item, FileExtentItem.OFF_DISK_BYTENR) != from
        || Le.u64(item, FileExtentItem.OFF_DISK_NUM_BYTES) != len) {
      throw new FormatException(
          "file extent item " + u.key() + " of tree " + u.root() + " changed during relocation");
    }
    tree.modify(u.key(), (leaf, off) -> Le.put64(leaf, off + FileExtentItem.OFF_DISK_BYTENR, to));
    long ino = u.key().objectId();
    engine.refs().dataRef(from, len, u.root(), ino, u.refOffset(), 0, -1);
    engine.refs().addDataRef(to, len, u.root(), ino, u.refOffset(), true);
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
