package org.jbtrfs.extent;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.WritableTree;

/**
 * Applies delayed references to the extent tree, one batch of heads at a time: inserts items for
 * new extents, adds and drops back references of every kind (keyed by tree, shared by parent block,
 * inline or as their own items), sets FULL_BACKREF, and frees extents whose last reference went
 * away (pinned until commit; data extents also lose their checksums). An extent reachable from
 * several trees keeps its item until the last of them lets go.
 */
public final class DelayedRefRunner {
  private final WritableTree extentTree;
  private final ChecksumTreeEditor csums;
  private final BlockGroups groups;
  private final long transid;
  private final int nodeSize;

  public DelayedRefRunner(
      WritableTree extentTree,
      ChecksumTreeEditor csums,
      BlockGroups groups,
      long transid,
      int nodeSize) {
    this.nodeSize = nodeSize;
    this.extentTree = extentTree;
    this.csums = csums;
    this.groups = groups;
    this.transid = transid;
  }

  /** Runs heads until none are left; running may itself queue more (extent tree COW). */
  public void runAll(DelayedRefs refs) throws IOException {
    for (int round = 0; !refs.isEmpty(); round++) {
      if (round > 10_000) throw new IllegalStateException("delayed refs do not converge");
      for (DelayedRefs.Head h : refs.takeAll().values()) {
        run(h);
      }
    }
  }

  /**
   * Applies one head: a new extent gets its item with every reference it gained; an existing one
   * has its references added (first, so a count never passes through zero) and dropped, and its
   * item rewritten, or deleted with the extent freed when the last reference went away.
   */
  private void run(DelayedRefs.Head h) throws IOException {
    Key key =
        h.data
            ? new Key(h.bytenr, ItemType.EXTENT_ITEM, h.numBytes)
            : new Key(h.bytenr, ItemType.METADATA_ITEM, h.level);
    if (h.isNew) {
      runNew(key, h);
      return;
    }
    if (h.mods.isEmpty() && !h.setFullBackref) return;
    byte[] raw = extentTree.get(key);
    if (raw == null) {
      throw new FormatException(
          "no extent item for " + (h.data ? "data extent " : "tree block ") + h.bytenr);
    }
    ExtentItem item = ExtentItem.parse(raw, 0, raw.length, !h.data);
    ExtentBackrefs backrefs =
        new ExtentBackrefs(
            extentTree, h.bytenr, nodeSize, ExtentItem.HEADER_SIZE, item.inlineRefs(), false);
    applyMods(h, backrefs);
    long refs = item.refs() + h.net();
    if (refs < 0) throw new FormatException("extent " + h.bytenr + " reference count below zero");
    if (refs == 0) {
      if (!backrefs.inline.isEmpty()) {
        throw new FormatException("extent " + h.bytenr + " has references left at count zero");
      }
      extentTree.delete(key);
      groups.pin(h.bytenr, h.numBytes);
      if (h.data) csums.delete(h.bytenr, h.numBytes);
      return;
    }
    long flags = item.flags() | (h.setFullBackref ? ExtentItem.FLAG_FULL_BACKREF : 0);
    extentTree.put(
        key, new ExtentItem(refs, item.generation(), flags, null, -1, backrefs.inline).encode());
  }

  private void runNew(Key key, DelayedRefs.Head h) throws IOException {
    if (h.mods.isEmpty()) {
      // Allocated and dropped within this transaction. A data extent's checksums were recorded
      // at writeback and must go with it, or they would overlap whatever reuses the space.
      if (h.data) csums.delete(h.bytenr, h.numBytes);
      groups.freeUncommitted(h.bytenr, h.numBytes);
      return;
    }
    ExtentBackrefs backrefs =
        new ExtentBackrefs(extentTree, h.bytenr, nodeSize, ExtentItem.HEADER_SIZE, List.of(), true);
    for (long count : h.mods.values()) {
      if (count <= 0)
        throw new IllegalStateException("new extent " + h.bytenr + " loses a reference");
    }
    applyMods(h, backrefs);
    long flags =
        (h.data ? ExtentItem.FLAG_DATA : ExtentItem.FLAG_TREE_BLOCK)
            | (h.setFullBackref ? ExtentItem.FLAG_FULL_BACKREF : 0);
    extentTree.insert(
        key, new ExtentItem(h.net(), generationOf(h), flags, null, -1, backrefs.inline).encode());
  }

  private long generationOf(DelayedRefs.Head h) {
    return h.generation != 0 ? h.generation : transid;
  }

  private static void applyMods(DelayedRefs.Head h, ExtentBackrefs backrefs) throws IOException {
    for (Map.Entry<DelayedRefs.Ref, Long> m : h.mods.entrySet()) {
      if (m.getValue() > 0) backrefs.add(m.getKey(), m.getValue());
    }
    for (Map.Entry<DelayedRefs.Ref, Long> m : h.mods.entrySet()) {
      if (m.getValue() < 0) backrefs.drop(m.getKey(), -m.getValue());
    }
  }
}
