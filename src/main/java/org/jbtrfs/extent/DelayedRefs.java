package org.jbtrfs.extent;

import java.util.Map;
import java.util.TreeMap;

/**
 * Reference changes waiting to be applied to the extent tree. Changes are merged per extent (a
 * "head"), and within a head per reference, so an add and a drop of the same reference in one
 * transaction cancel without ever touching the extent tree. The runner applies them in batches.
 */
public final class DelayedRefs {
  /** One back reference: the owning tree, and for data the inode and file offset key. */
  public record Ref(long root, long objectId, long offset) {}

  /** All pending changes to one extent. */
  public static final class Head {
    final long bytenr;
    final long numBytes;
    final boolean data;
    final int level;

    /** The extent was allocated in this transaction: its extent item does not exist yet. */
    boolean isNew;

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
    int c = Long.compareUnsigned(a.root(), b.root());
    if (c != 0) return c;
    c = Long.compareUnsigned(a.objectId(), b.objectId());
    return c != 0 ? c : Long.compareUnsigned(a.offset(), b.offset());
  }

  private Head head(long bytenr, long numBytes, boolean data, int level) {
    Head h = heads.get(bytenr);
    if (h == null) {
      h = new Head(bytenr, numBytes, data, level);
      heads.put(bytenr, h);
    } else if (h.numBytes != numBytes || h.data != data) {
      throw new IllegalStateException("conflicting delayed refs for extent " + bytenr);
    }
    return h;
  }

  private static void mod(Head h, Ref r, long delta) {
    long v = h.mods.getOrDefault(r, 0L) + delta;
    if (v == 0) h.mods.remove(r);
    else h.mods.put(r, v);
  }

  /** A tree block was allocated for tree {@code root}. */
  public synchronized void newTreeBlock(long bytenr, long nodeSize, int level, long root) {
    Head h = head(bytenr, nodeSize, false, level);
    h.isNew = true;
    mod(h, new Ref(root, 0, 0), 1);
  }

  /** Tree {@code root} dropped its reference to a tree block. */
  public synchronized void dropTreeBlock(long bytenr, long nodeSize, int level, long root) {
    mod(head(bytenr, nodeSize, false, level), new Ref(root, 0, 0), -1);
  }

  /** A file extent item of (root, inode, offset key) now points at this data extent. */
  public synchronized void addDataRef(
      long bytenr, long numBytes, long root, long ino, long offset, boolean isNew) {
    Head h = head(bytenr, numBytes, true, 0);
    if (isNew) h.isNew = true;
    mod(h, new Ref(root, ino, offset), 1);
  }

  public synchronized void dropDataRef(
      long bytenr, long numBytes, long root, long ino, long offset) {
    mod(head(bytenr, numBytes, true, 0), new Ref(root, ino, offset), -1);
  }

  /**
   * Whether an extent allocated in this transaction is still pending (its item not yet written).
   */
  public synchronized boolean isPendingNew(long bytenr) {
    Head h = heads.get(bytenr);
    return h != null && h.isNew;
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
