package org.jbtrfs.extent;

import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.ItemType;

/**
 * Reference changes waiting to be applied to the extent tree. Changes are merged per extent (a
 * "head"), and within a head per reference, so an add and a drop of the same reference in one
 * transaction cancel without ever touching the extent tree. The runner applies them in batches.
 */
public final class DelayedRefs {
  /**
   * One back reference, typed as in the extent tree: TREE_BLOCK_REF (owning tree {@code root}),
   * SHARED_BLOCK_REF and SHARED_DATA_REF ({@code root} holds the parent block's address), and
   * EXTENT_DATA_REF (tree, inode and file offset key).
   */
  public record Ref(int type, long root, long objectId, long offset) {}

  /** All pending changes to one extent. */
  public static final class Head {
    final long bytenr;
    final long numBytes;
    final boolean data;
    final int level;

    /** The extent was allocated in this transaction: its extent item does not exist yet. */
    boolean isNew;

    /** The extent item must gain FULL_BACKREF (a tree block whose children became shared). */
    boolean setFullBackref;

    /** A new extent's item generation when not the transaction's (0): a relocated copy's. */
    long generation;

    final Map<Ref, Long> mods = new TreeMap<>(DelayedRefs::compareRefs);

    Head(long bytenr, long numBytes, boolean data, int level) {
      this.bytenr = bytenr;
      this.numBytes = numBytes;
      this.data = data;
      this.level = level;
    }

    long net() {
      long n = 0;
      for (long v : mods.values()) n += v;
      return n;
    }
  }

  private final TreeMap<Long, Head> heads = new TreeMap<>();

  private static int compareRefs(Ref a, Ref b) {
    int c = Integer.compare(a.type(), b.type());
    if (c != 0) return c;
    c = Long.compareUnsigned(a.root(), b.root());
    if (c != 0) return c;
    c = Long.compareUnsigned(a.objectId(), b.objectId());
    return c != 0 ? c : Long.compareUnsigned(a.offset(), b.offset());
  }

  private Head head(long bytenr, long numBytes, boolean data, int level) {
    Head h = heads.get(bytenr);
    if (h == null) {
      h = new Head(bytenr, numBytes, data, level);
      heads.put(bytenr, h);
    } else if (h.numBytes != numBytes || h.data != data || (!data && h.level != level)) {
      throw new IllegalStateException("conflicting delayed refs for extent " + bytenr);
    }
    return h;
  }

  private static void mod(Head h, Ref r, long delta) {
    long v = h.mods.getOrDefault(r, 0L) + delta;
    if (v == 0) h.mods.remove(r);
    else h.mods.put(r, v);
  }

  private static Ref blockRef(long root, long parent) {
    return parent != 0
        ? new Ref(ItemType.SHARED_BLOCK_REF, parent, 0, 0)
        : new Ref(ItemType.TREE_BLOCK_REF, root, 0, 0);
  }

  private static Ref dataRef(long root, long ino, long offset, long parent) {
    return parent != 0
        ? new Ref(ItemType.SHARED_DATA_REF, parent, 0, 0)
        : new Ref(ItemType.EXTENT_DATA_REF, root, ino, offset);
  }

  /** A tree block was allocated for tree {@code root}. */
  public synchronized void newTreeBlock(long bytenr, long nodeSize, int level, long root) {
    Head h = head(bytenr, nodeSize, false, level);
    h.isNew = true;
    mod(h, blockRef(root, 0), 1);
  }

  /** Tree {@code root} dropped its (keyed) reference to a tree block. */
  public synchronized void dropTreeBlock(long bytenr, long nodeSize, int level, long root) {
    mod(head(bytenr, nodeSize, false, level), blockRef(root, 0), -1);
  }

  /**
   * Adds ({@code delta} 1) or drops (-1) a reference to a tree block: keyed by tree {@code root}
   * when {@code parent} is 0, else a shared reference from the block at {@code parent}.
   */
  public synchronized void treeBlockRef(
      long bytenr, long nodeSize, int level, long root, long parent, long delta) {
    mod(head(bytenr, nodeSize, false, level), blockRef(root, parent), delta);
  }

  /**
   * A tree block allocated in this transaction is a copy keeping an older block's generation: its
   * extent item carries that generation, as scrub compares it with the block's header.
   */
  public synchronized void keepGeneration(long bytenr, long generation) {
    Head h = heads.get(bytenr);
    if (h == null || !h.isNew || h.data) {
      throw new IllegalStateException("tree block " + bytenr + " was not allocated here");
    }
    h.generation = generation;
  }

  /** The tree block's extent item gets FULL_BACKREF when this head runs. */
  public synchronized void setFullBackref(long bytenr, long nodeSize, int level) {
    head(bytenr, nodeSize, false, level).setFullBackref = true;
  }

  /**
   * A data extent was allocated in this transaction; its references come with the changes that
   * follow (relocation moves an old extent's references to its copy).
   */
  public synchronized void newDataExtent(long bytenr, long numBytes) {
    head(bytenr, numBytes, true, 0).isNew = true;
  }

  /** A file extent item of (root, inode, offset key) now points at this data extent. */
  public synchronized void addDataRef(
      long bytenr, long numBytes, long root, long ino, long offset, boolean isNew) {
    Head h = head(bytenr, numBytes, true, 0);
    if (isNew) h.isNew = true;
    mod(h, dataRef(root, ino, offset, 0), 1);
  }

  public synchronized void dropDataRef(
      long bytenr, long numBytes, long root, long ino, long offset) {
    mod(head(bytenr, numBytes, true, 0), dataRef(root, ino, offset, 0), -1);
  }

  /**
   * Changes a data reference by {@code delta}: keyed by (root, inode, offset) when {@code parent}
   * is 0, else shared from the leaf at {@code parent}.
   */
  public synchronized void dataRef(
      long bytenr, long numBytes, long root, long ino, long offset, long parent, long delta) {
    mod(head(bytenr, numBytes, true, 0), dataRef(root, ino, offset, parent), delta);
  }

  /**
   * Whether an extent allocated in this transaction is still pending (its item not yet written).
   */
  public synchronized boolean isPendingNew(long bytenr) {
    Head h = heads.get(bytenr);
    return h != null && h.isNew;
  }

  /**
   * The references queued for an extent, each with its count change, or null when nothing is queued
   * for it.
   */
  public synchronized Map<Ref, Long> pendingRefs(long bytenr) {
    Head h = heads.get(bytenr);
    return h == null ? null : new java.util.HashMap<>(h.mods);
  }

  /** The net reference change queued for an extent (0 when nothing is pending). */
  public synchronized long pendingRefChange(long bytenr) {
    Head h = heads.get(bytenr);
    return h == null ? 0 : h.net();
  }

  /** Whether FULL_BACKREF is queued for the extent. */
  public synchronized boolean pendingFullBackref(long bytenr) {
    Head h = heads.get(bytenr);
    return h != null && h.setFullBackref;
  }

  public synchronized boolean isEmpty() {
    return heads.isEmpty();
  }

  public synchronized int size() {
    return heads.size();
  }

  /** Takes every pending head, in address order, for the runner. */
  synchronized Map<Long, Head> takeAll() {
    TreeMap<Long, Head> batch = new TreeMap<>(heads);
    heads.clear();
    return batch;
  }
}
