package org.jbtrfs.extent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.ExtentItem.InlineRef;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;

/**
 * The back references of one extent while a delayed-ref head is applied: the inline references of
 * its extent item (kept in memory until the item is written) and the keyed reference items next to
 * it (changed in the extent tree directly). Placement follows the kernel: a reference already
 * present is counted where it is; a new one goes inline while the item stays below the maximum
 * inline size and no keyed reference exists for the extent, otherwise it becomes a keyed item.
 * Inline references are kept in the order the tree-checker demands (type ascending, then offset or
 * data-ref hash descending).
 */
final class ExtentBackrefs {
  private final WritableTree extentTree;
  private final long bytenr;
  private final int maxItemSize;
  private final int headerSize;
  final List<InlineRef> inline;

  /** Whether keyed reference items exist for the extent; looked up only when it matters. */
  private Boolean keyedExist;

  ExtentBackrefs(
      WritableTree extentTree,
      long bytenr,
      int nodeSize,
      int headerSize,
      List<InlineRef> inline,
      boolean isNew) {
    this.extentTree = extentTree;
    this.bytenr = bytenr;
    // The kernel's BTRFS_MAX_EXTENT_ITEM_SIZE: a sixteenth of a leaf's data area, less an item.
    this.maxItemSize = ((nodeSize - TreeHeader.SIZE) >> 4) - TreeHeader.ITEM_SIZE;
    this.headerSize = headerSize;
    this.inline = new ArrayList<>(inline);
    this.keyedExist = isNew ? Boolean.FALSE : null;
  }

  /** Adds {@code count} (> 0) references of kind {@code r}. */
  void add(DelayedRefs.Ref r, long count) throws IOException {
    int i = findInline(r);
    if (i >= 0) {
      requireCountable(r);
      InlineRef ir = inline.get(i);
      inline.set(i, withCount(ir, ir.count() + count));
      return;
    }
    if (itemSize() + 1 + inlineSize(r.type()) < maxItemSize && !keyedExist()) {
      if (count != 1) requireCountable(r);
      inline.add(new InlineRef(r.type(), r.root(), r.objectId(), r.offset(), count));
      inline.sort(INLINE_ORDER);
      return;
    }
    changeKeyed(r, count);
    keyedExist = true;
  }

  /** Drops {@code count} (> 0) references of kind {@code r}; they must exist. */
  void drop(DelayedRefs.Ref r, long count) throws IOException {
    int i = findInline(r);
    if (i < 0) {
      changeKeyed(r, -count);
      return;
    }
    InlineRef ir = inline.get(i);
    long left = ir.count() - count;
    if (left < 0) throw new FormatException(describe(r) + ": inline reference count below zero");
    if (left == 0) inline.remove(i);
    else inline.set(i, withCount(ir, left));
  }

  private boolean keyedExist() throws IOException {
    if (keyedExist == null) keyedExist = hasKeyedRefs();
    return keyedExist;
  }

  /** Whether any keyed reference item for the extent is left in the extent tree. */
  boolean hasKeyedRefs() throws IOException {
    Cursor c = extentTree.readView().seekCeil(new Key(bytenr, ItemType.METADATA_ITEM + 1, 0));
    return c.valid()
        && c.objectId() == bytenr
        && c.type() > ItemType.METADATA_ITEM
        && c.type() < ItemType.BLOCK_GROUP_ITEM;
  }

  private int itemSize() {
    int size = headerSize;
    for (InlineRef ir : inline) size += 1 + inlineSize(ir.type());
    return size;
  }

  private int findInline(DelayedRefs.Ref r) {
    for (int i = 0; i < inline.size(); i++) {
      InlineRef ir = inline.get(i);
      if (ir.type() != r.type() || ir.root() != r.root()) continue;
      if (r.type() != ItemType.EXTENT_DATA_REF
          || (ir.objectId() == r.objectId() && ir.offset() == r.offset())) return i;
    }
    return -1;
  }

  /** Tree block references exist once each; only data references carry counts. */
  private void requireCountable(DelayedRefs.Ref r) throws FormatException {
    if (r.type() == ItemType.TREE_BLOCK_REF || r.type() == ItemType.SHARED_BLOCK_REF)
      throw new FormatException(describe(r) + " would exist twice");
  }

  private static InlineRef withCount(InlineRef ir, long count) {
    return new InlineRef(ir.type(), ir.root(), ir.objectId(), ir.offset(), count);
  }

  /** Adds {@code delta} to a keyed reference item, creating or deleting it as needed. */
  private void changeKeyed(DelayedRefs.Ref r, long delta) throws IOException {
    switch (r.type()) {
      case ItemType.TREE_BLOCK_REF, ItemType.SHARED_BLOCK_REF -> {
        Key key = new Key(bytenr, r.type(), r.root());
        if (delta == 1) {
          if (!extentTree.insert(key, new byte[0]))
            throw new FormatException(describe(r) + " would exist twice");
        } else if (delta != -1 || !extentTree.delete(key)) {
          throw new FormatException(describe(r) + ": cannot change by " + delta);
        }
      }
      case ItemType.SHARED_DATA_REF -> {
        Key key = new Key(bytenr, r.type(), r.root());
        byte[] raw = extentTree.get(key);
        long count = (raw == null ? 0 : Le.u32(raw, 0)) + delta;
        if (count < 0) throw new FormatException(describe(r) + ": reference not found");
        if (count == 0) extentTree.delete(key);
        else {
          byte[] item = new byte[4];
          Le.put32(item, 0, count);
          extentTree.put(key, item);
        }
      }
      case ItemType.EXTENT_DATA_REF -> changeKeyedDataRef(r, delta);
      default -> throw new IllegalArgumentException("reference type " + r.type());
    }
  }

  /** Keyed EXTENT_DATA_REF items live at a hash; collisions take the next free key offset. */
  private void changeKeyedDataRef(DelayedRefs.Ref r, long delta) throws IOException {
    long hash = ExtentItem.dataRefHash(r.root(), r.objectId(), r.offset());
    for (long off = hash; ; off++) {
      Key key = new Key(bytenr, ItemType.EXTENT_DATA_REF, off);
      byte[] raw = extentTree.get(key);
      if (raw == null) {
        if (delta < 0) throw new FormatException(describe(r) + ": reference to drop not found");
        extentTree.insert(key, ExtentItem.encodeDataRef(r.root(), r.objectId(), r.offset(), delta));
        return;
      }
      if (Le.u64(raw, 0) == r.root()
          && Le.u64(raw, 8) == r.objectId()
          && Le.u64(raw, 16) == r.offset()) {
        long count = Le.u32(raw, 24) + delta;
        if (count < 0) throw new FormatException(describe(r) + ": keyed reference below zero");
        if (count == 0) extentTree.delete(key);
        else
          extentTree.put(key, ExtentItem.encodeDataRef(r.root(), r.objectId(), r.offset(), count));
        return;
      }
    }
  }

  private String describe(DelayedRefs.Ref r) {
    return "extent " + bytenr + " " + ItemType.name(r.type()) + " " + r;
  }

  private static int inlineSize(int type) {
    return switch (type) {
      case ItemType.SHARED_DATA_REF -> 12;
      case ItemType.EXTENT_DATA_REF -> ExtentItem.DATA_REF_SIZE;
      default -> 8;
    };
  }

  /** The value the tree-checker orders inline references of one type by (descending). */
  private static long sequence(InlineRef ir) {
    return ir.type() == ItemType.EXTENT_DATA_REF
        ? ExtentItem.dataRefHash(ir.root(), ir.objectId(), ir.offset())
        : ir.root();
  }

  /** Owner refs (simple quotas) stay first; then type ascending, sequence descending. */
  static final Comparator<InlineRef> INLINE_ORDER =
      (a, b) -> {
        boolean ao = a.type() == ItemType.EXTENT_OWNER_REF;
        boolean bo = b.type() == ItemType.EXTENT_OWNER_REF;
        if (ao || bo) return ao == bo ? 0 : ao ? -1 : 1;
        int c = Integer.compare(a.type(), b.type());
        return c != 0 ? c : Long.compareUnsigned(sequence(b), sequence(a));
      };
}
