package org.jbtrfs.extent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.ExtentItem.InlineRef;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.tree.WritableTree;

/**
 * Applies delayed references to the extent tree, one batch of heads at a time: inserts items for
 * new extents, adjusts reference counts, and frees extents whose last reference went away (tree
 * blocks pinned until commit, data extents also losing their checksums).
 */
public final class DelayedRefRunner {
  private final WritableTree extentTree;
  private final ChecksumTreeEditor csums;
  private final BlockGroups groups;
  private final long transid;

  public DelayedRefRunner(
      WritableTree extentTree, ChecksumTreeEditor csums, BlockGroups groups, long transid) {
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
        if (h.data) runData(h);
        else runTreeBlock(h);
      }
    }
  }

  private void runTreeBlock(DelayedRefs.Head h) throws IOException {
    long net = h.net();
    if (net == 0) {
      if (h.isNew) groups.freeUncommitted(h.bytenr, h.numBytes);
      return;
    }
    Map.Entry<DelayedRefs.Ref, Long> only = h.mods.entrySet().iterator().next();
    long root = only.getKey().root();
    if (h.mods.size() != 1 || Math.abs(only.getValue()) != 1) {
      throw new UnsupportedFeatureException(
          "tree block " + h.bytenr + " would be shared between trees");
    }
    Key key = new Key(h.bytenr, ItemType.METADATA_ITEM, h.level);
    if (h.isNew && net == 1) {
      ExtentItem item =
          new ExtentItem(
              1,
              transid,
              ExtentItem.FLAG_TREE_BLOCK,
              null,
              -1,
              List.of(new InlineRef(ItemType.TREE_BLOCK_REF, root, 0, 0, 1)));
      extentTree.insert(key, item.encode());
      return;
    }
    if (!h.isNew && net == -1) {
      byte[] raw = extentTree.get(key);
      if (raw == null)
        throw new FormatException(
            "no extent item for tree block " + h.bytenr + " level " + h.level);
      ExtentItem item = ExtentItem.parse(raw, 0, raw.length, true);
      boolean soleOwner =
          item.refs() == 1
              && (item.flags() & ExtentItem.FLAG_FULL_BACKREF) == 0
              && item.inlineRefs().size() == 1
              && item.inlineRefs().get(0).type() == ItemType.TREE_BLOCK_REF
              && item.inlineRefs().get(0).root() == root;
      if (!soleOwner) {
        throw new UnsupportedFeatureException(
            "tree block "
                + h.bytenr
                + " is shared (snapshot); "
                + "changing shared trees is not supported yet");
      }
      extentTree.delete(key);
      groups.pin(h.bytenr, h.numBytes);
      return;
    }
    throw new IllegalStateException("tree block " + h.bytenr + ": net reference change " + net);
  }

  private void runData(DelayedRefs.Head h) throws IOException {
    if (h.mods.isEmpty()) {
      if (h.isNew) {
        // Written and dropped within this transaction: its checksums were recorded at
        // writeback and must go with it, or they would overlap whatever reuses the space.
        csums.delete(h.bytenr, h.numBytes);
        groups.freeUncommitted(h.bytenr, h.numBytes);
      }
      return;
    }
    Key key = new Key(h.bytenr, ItemType.EXTENT_ITEM, h.numBytes);
    if (h.isNew) {
      insertNewData(key, h);
      return;
    }
    byte[] raw = extentTree.get(key);
    if (raw == null) throw new FormatException("no extent item for data extent " + h.bytenr);
    ExtentItem item = ExtentItem.parse(raw, 0, raw.length, false);
    List<InlineRef> inline = new ArrayList<>(item.inlineRefs());
    for (Map.Entry<DelayedRefs.Ref, Long> m : h.mods.entrySet()) {
      DelayedRefs.Ref r = m.getKey();
      if (!applyInline(inline, r, m.getValue())) applyKeyed(h.bytenr, r, m.getValue());
    }
    for (InlineRef ir : inline) {
      if (ir.type() != ItemType.EXTENT_DATA_REF) {
        throw new UnsupportedFeatureException(
            "data extent " + h.bytenr + " has shared references (snapshot)");
      }
    }
    long refs = item.refs() + h.net();
    if (refs < 0)
      throw new FormatException("data extent " + h.bytenr + " reference count below zero");
    if (refs == 0) {
      extentTree.delete(key);
      groups.pin(h.bytenr, h.numBytes);
      csums.delete(h.bytenr, h.numBytes);
      return;
    }
    extentTree.put(
        key, new ExtentItem(refs, item.generation(), item.flags(), null, -1, inline).encode());
  }

  private void insertNewData(Key key, DelayedRefs.Head h) throws IOException {
    long total = 0;
    List<InlineRef> inline = new ArrayList<>();
    for (Map.Entry<DelayedRefs.Ref, Long> m : h.mods.entrySet()) {
      DelayedRefs.Ref r = m.getKey();
      long count = m.getValue();
      if (count <= 0)
        throw new IllegalStateException("new data extent " + h.bytenr + " loses a reference");
      total += count;
      // One reference inline, like the kernel writes a fresh extent; any others as keyed items.
      if (inline.isEmpty())
        inline.add(
            new InlineRef(ItemType.EXTENT_DATA_REF, r.root(), r.objectId(), r.offset(), count));
      else applyKeyed(h.bytenr, r, count);
    }
    extentTree.insert(
        key, new ExtentItem(total, transid, ExtentItem.FLAG_DATA, null, -1, inline).encode());
  }

  private static boolean applyInline(List<InlineRef> inline, DelayedRefs.Ref r, long delta) {
    for (int i = 0; i < inline.size(); i++) {
      InlineRef ir = inline.get(i);
      if (ir.type() == ItemType.EXTENT_DATA_REF
          && ir.root() == r.root()
          && ir.objectId() == r.objectId()
          && ir.offset() == r.offset()) {
        long count = ir.count() + delta;
        if (count < 0) throw new IllegalStateException("inline data ref count below zero");
        if (count == 0) inline.remove(i);
        else inline.set(i, new InlineRef(ir.type(), ir.root(), ir.objectId(), ir.offset(), count));
        return true;
      }
    }
    return false;
  }

  /** Keyed EXTENT_DATA_REF items live at a hash; collisions take the next free key offset. */
  private void applyKeyed(long bytenr, DelayedRefs.Ref r, long delta) throws IOException {
    long hash = ExtentItem.dataRefHash(r.root(), r.objectId(), r.offset());
    for (long off = hash; ; off++) {
      Key key = new Key(bytenr, ItemType.EXTENT_DATA_REF, off);
      byte[] raw = extentTree.get(key);
      if (raw == null) {
        if (delta < 0)
          throw new FormatException("data extent " + bytenr + ": reference to drop not found");
        extentTree.insert(key, ExtentItem.encodeDataRef(r.root(), r.objectId(), r.offset(), delta));
        return;
      }
      if (Le.u64(raw, 0) == r.root()
          && Le.u64(raw, 8) == r.objectId()
          && Le.u64(raw, 16) == r.offset()) {
        long count = Le.u32(raw, 24) + delta;
        if (count < 0)
          throw new FormatException("data extent " + bytenr + ": keyed reference below zero");
        if (count == 0) extentTree.delete(key);
        else
          extentTree.put(key, ExtentItem.encodeDataRef(r.root(), r.objectId(), r.offset(), count));
        return;
      }
    }
  }
}
