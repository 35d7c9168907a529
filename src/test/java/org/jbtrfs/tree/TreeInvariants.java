package org.jbtrfs.tree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * Everything a correct tree must satisfy, checked by walking it from the root: each block passes
 * the reader's TreeChecker plus the stricter rules the kernel's tree-checker applies (leaf data
 * packed back to back from the block end), header fields match the transaction, pointers carry the
 * child's first key, generation and the level below, keys stay inside their parent's range, every
 * leaf sits at depth rootLevel, only a root leaf may be empty, no block is reachable twice, the
 * allocator's live set is exactly the reachable set, dirty blocks are exactly this transaction's
 * blocks, and the items equal the model both by walking and through a read Cursor.
 */
final class TreeInvariants {
  private final TreeHarness h;
  private final Set<Long> reachable = new HashSet<>();
  private final List<Key> keys = new ArrayList<>();
  private final List<byte[]> values = new ArrayList<>();

  private TreeInvariants(TreeHarness h) {
    this.h = h;
  }

  static void check(TreeHarness h, WritableTree t, SortedMap<Key, byte[]> model)
      throws IOException {
    new TreeInvariants(h).run(t, model);
  }

  private void run(WritableTree t, SortedMap<Key, byte[]> model) throws IOException {
    TreeBlock root = block(t.rootBytenr(), t.rootGeneration(), t.rootLevel());
    walk(root, t.rootLevel(), null, null, true);
    expect(
        reachable.equals(h.allocator.live()),
        "live blocks "
            + h.allocator.live().size()
            + " != reachable "
            + reachable.size()
            + " (leak or dangling)");
    for (long d : h.dirty.all().keySet())
      expect(reachable.contains(d), "dirty block " + d + " is unreachable");
    compare(model, keys.iterator(), values.iterator(), "walk");
    List<Key> ck = new ArrayList<>();
    List<byte[]> cv = new ArrayList<>();
    Cursor c = t.readView().seekCeil(Key.MIN);
    while (c.valid()) {
      ck.add(c.key());
      cv.add(c.data());
      c.next();
    }
    compare(model, ck.iterator(), cv.iterator(), "cursor");
  }

  private void walk(TreeBlock b, int level, Key lo, Key hi, boolean isRoot) throws IOException {
    expect(reachable.add(b.logical()), "block " + b.logical() + " reachable twice");
    header(b, level);
    int n = b.nritems();
    for (int i = 0; i < n; i++) {
      Key k = b.key(i);
      expect(lo == null || k.compareTo(lo) >= 0, "key " + k + " below parent range " + lo);
      expect(hi == null || k.compareTo(hi) < 0, "key " + k + " not below next pointer " + hi);
    }
    if (level == 0) {
      expect(isRoot || n > 0, "empty non-root leaf " + b.logical());
      int end = h.nodeSize;
      for (int i = 0; i < n; i++) {
        int off = b.itemDataOffset(i);
        expect(
            off + b.itemDataSize(i) == end,
            "leaf " + b.logical() + " item " + i + " data not packed");
        end = off;
        keys.add(b.key(i));
        values.add(Arrays.copyOfRange(b.raw(), off, off + b.itemDataSize(i)));
      }
      expect(end >= TreeHeader.SIZE + n * TreeHeader.ITEM_SIZE, "leaf items overlap data");
      // Stale bytes of deleted or moved items must never reach the disk.
      for (int i = TreeHeader.SIZE + n * TreeHeader.ITEM_SIZE; i < end; i++)
        expect(b.raw()[i] == 0, "leaf " + b.logical() + " unused byte " + i + " not zero");
      return;
    }
    int max = (h.nodeSize - TreeHeader.SIZE) / TreeHeader.KEY_PTR_SIZE;
    expect(n >= (isRoot ? 2 : 1) && n <= max, "node " + b.logical() + " has " + n + " pointers");
    for (int i = 0; i < n; i++) {
      TreeBlock child = block(b.childBlockPtr(i), b.childGeneration(i), level - 1);
      expect(child.generation() == b.childGeneration(i), "pointer generation differs from child's");
      expect(
          child.nritems() > 0 && child.key(0).equals(b.key(i)),
          "pointer key " + b.key(i) + " is not the first key of child " + child.logical());
      walk(child, level - 1, b.key(i), i + 1 < n ? b.key(i + 1) : hi, false);
    }
  }

  private void header(TreeBlock b, int level) {
    byte[] raw = b.raw();
    expect(b.level() == level, "level " + b.level() + " at depth for level " + level);
    expect(b.owner() == TreeHarness.OWNER, "owner " + b.owner());
    expect(
        Arrays.equals(
            raw, TreeHeader.CHUNK_TREE_UUID, TreeHeader.CHUNK_TREE_UUID + 16, h.chunkUuid, 0, 16),
        "chunk tree uuid");
    boolean dirty = h.dirty.dirty(b.logical()) != null;
    long flags = b.flags();
    expect(
        (flags & ~TreeHeader.FLAG_WRITTEN) == 1L << TreeHeader.BACKREF_REV_SHIFT,
        "flags " + Long.toHexString(flags));
    if (dirty) {
      expect(b.generation() == h.transid, "dirty block with generation " + b.generation());
      expect((flags & TreeHeader.FLAG_WRITTEN) == 0, "dirty block marked written");
    } else {
      expect(b.generation() < h.transid, "committed block from the future");
    }
  }

  /** Dirty blocks are checked like the reader checks committed ones (which also verifies csums). */
  private TreeBlock block(long bytenr, long gen, int level) throws IOException {
    byte[] d = h.dirty.dirty(bytenr);
    if (d == null) return h.reader.read(bytenr, gen, level);
    TreeBlock b = new TreeBlock(bytenr, d);
    TreeChecker.check(b, bytenr, h.fsid, level);
    expect(Le.u64(d, TreeHeader.GENERATION) == gen, "dirty block generation differs from pointer");
    return b;
  }

  private static void compare(
      SortedMap<Key, byte[]> model, Iterator<Key> ks, Iterator<byte[]> vs, String how) {
    for (Map.Entry<Key, byte[]> e : model.entrySet()) {
      expect(ks.hasNext(), how + ": tree ends before " + e.getKey());
      Key k = ks.next();
      expect(k.equals(e.getKey()), how + ": tree has " + k + " where model has " + e.getKey());
      expect(Arrays.equals(vs.next(), e.getValue()), how + ": data of " + k + " differs");
    }
    expect(!ks.hasNext(), how + ": tree has extra items");
  }

  private static void expect(boolean ok, String msg) {
    if (!ok) throw new AssertionError(msg);
  }
}
