package org.jbtrfs.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.junit.jupiter.api.Test;

/**
 * Copy-on-write of blocks shared between a tree and its snapshot, against a reference-count model.
 * A multi-level tree is snapshotted the way the kernel does it (the root copied, its children
 * gaining the snapshot's keyed references), then both trees get random inserts and deletes over
 * several transactions. After each commit every block's references must be exactly what a checker
 * derives by walking both trees (a child of a FULL_BACKREF block is referenced by that block's
 * address, any other child by each tree that reaches its parent), no unreachable block may keep a
 * reference, and both trees must hold their model contents.
 */
class SharedBlockCowTest {
  private static final long SRC = 256;
  private static final long SNAP = 257;

  /** Reference counts and extent flags per block, changed only through the COW interfaces. */
  private static final class RefModel implements TreeBlockAllocator, SharedBlockRefs {
    private long next = TreeHarness.BASE;
    private final int nodeSize;
    final Map<Long, Map<String, Integer>> refs = new HashMap<>();
    final Map<Long, Long> flags = new HashMap<>();

    RefModel(int nodeSize) {
      this.nodeSize = nodeSize;
    }

    private void change(long bytenr, String ref, int delta) {
      Map<String, Integer> m = refs.computeIfAbsent(bytenr, k -> new HashMap<>());
      int v = m.getOrDefault(ref, 0) + delta;
      if (v < 0 || v > 1) throw new AssertionError("block " + bytenr + " ref " + ref + " -> " + v);
      if (v == 0) m.remove(ref);
      else m.put(ref, v);
      if (m.isEmpty()) {
        refs.remove(bytenr);
        flags.remove(bytenr);
      }
    }

    @Override
    public long allocate(long owner, int level) {
      long a = next;
      next += nodeSize;
      change(a, "root:" + owner, 1);
      return a;
    }

    @Override
    public void free(long bytenr, long owner, int level) {
      change(bytenr, "root:" + owner, -1);
    }

    @Override
    public Info lookup(long bytenr, int level) {
      return new Info(refs.getOrDefault(bytenr, Map.of()).size(), flags.getOrDefault(bytenr, 0L));
    }

    @Override
    public void setFullBackref(long bytenr, int level) {
      flags.put(bytenr, ExtentItem.FLAG_FULL_BACKREF);
    }

    @Override
    public void changeChildRefs(byte[] block, long root, long parent, int delta) {
      TreeBlock b = new TreeBlock(0, block);
      if (b.level() == 0) return; // plain items: no data extents in this test
      for (int i = 0; i < b.nritems(); i++) {
        change(b.childBlockPtr(i), parent != 0 ? "parent:" + parent : "root:" + root, delta);
      }
    }
  }

  private static Key key(int i) {
    return new Key(256 + i / 8, 96, i % 8);
  }

  private static byte[] value(int i, int round) {
    byte[] d = new byte[40 + (i * 13 + round) % 200];
    for (int j = 0; j < d.length; j++) d[j] = (byte) (i + j + round);
    return d;
  }

  @Test
  void snapshotAndSourceChangeIndependentlyWithExactReferences() throws IOException {
    TreeHarness h = new TreeHarness(4096);
    RefModel model = new RefModel(4096);
    WritableTree src = WritableTree.create(ctx(h, model), SRC);
    TreeMap<Key, byte[]> srcItems = new TreeMap<>();
    for (int i = 0; i < 6000; i++) {
      src.insert(key(i), value(i, 0));
      srcItems.put(key(i), value(i, 0));
    }
    h.commit();
    assertThat(src.rootLevel()).isGreaterThanOrEqualTo(2);

    // The kernel's snapshot: a copy of the root owned by the snapshot, whose children gain the
    // snapshot's keyed references; both root items record this transaction as last_snapshot.
    long lastSnapshot = h.transid;
    byte[] rootCopy = h.reader.read(src.rootBytenr(), src.rootGeneration(), -1).raw().clone();
    long snapRoot = model.allocate(SNAP, src.rootLevel());
    Le.put64(rootCopy, TreeHeader.BYTENR, snapRoot);
    Le.put64(rootCopy, TreeHeader.OWNER, SNAP);
    Le.put64(rootCopy, TreeHeader.GENERATION, h.transid);
    h.dirty.put(snapRoot, rootCopy);
    model.changeChildRefs(rootCopy, SNAP, 0, 1);
    WritableTree snap = new WritableTree(ctx(h, model), SNAP, snapRoot, src.rootLevel(), h.transid);
    TreeMap<Key, byte[]> snapItems = new TreeMap<>(srcItems);
    h.commit();
    verify(h, model, List.of(src, snap));

    Random r = new Random(17);
    for (int round = 1; round <= 8; round++) {
      Sharing sharing = new Sharing(true, lastSnapshot, model);
      src = reopen(h, model, src, sharing);
      snap = reopen(h, model, snap, sharing);
      for (int op = 0; op < 400; op++) {
        boolean onSrc = r.nextBoolean();
        WritableTree t = onSrc ? src : snap;
        TreeMap<Key, byte[]> items = onSrc ? srcItems : snapItems;
        int i = r.nextInt(7000);
        if (r.nextInt(3) == 0) {
          t.put(key(i), value(i, round));
          items.put(key(i), value(i, round));
        } else {
          // Deleting runs of keys empties leaves and makes neighbours merge.
          for (int k = i; k < i + 12; k++) {
            t.delete(key(k));
            items.remove(key(k));
          }
        }
      }
      h.commit();
      verify(h, model, List.of(src, snap));
      assertThat(contents(h, src)).isEqualTo(hex(srcItems));
      assertThat(contents(h, snap)).isEqualTo(hex(snapItems));
    }
  }

  private static WriteContext ctx(TreeHarness h, RefModel model) {
    return new WriteContext(h.transid, h.nodeSize, h.fsid, h.chunkUuid, model, h.dirty, h.reader);
  }

  private static WritableTree reopen(
      TreeHarness h, RefModel model, WritableTree t, Sharing sharing) {
    return new WritableTree(
        ctx(h, model), t.owner(), t.rootBytenr(), t.rootLevel(), t.rootGeneration(), sharing);
  }

  /**
   * What btrfs check would count, compared with the model's references: each edge from a parent to
   * a child is one reference, by the parent's address when the parent is FULL_BACKREF, else keyed
   * by the parent's owner; a tree's root block is referenced by the tree itself.
   */
  private static void verify(TreeHarness h, RefModel model, List<WritableTree> trees)
      throws IOException {
    Map<Long, Set<String>> expected = new HashMap<>();
    Set<Long> visited = new HashSet<>();
    for (WritableTree t : trees) {
      expected.computeIfAbsent(t.rootBytenr(), k -> new HashSet<>()).add("root:" + t.owner());
      List<long[]> stack = new ArrayList<>();
      stack.add(new long[] {t.rootBytenr(), t.rootGeneration(), t.rootLevel()});
      while (!stack.isEmpty()) {
        long[] b = stack.remove(stack.size() - 1);
        if (b[2] == 0 || !visited.add(b[0])) continue;
        TreeBlock block = h.reader.read(b[0], b[1], (int) b[2]);
        boolean full = (model.flags.getOrDefault(b[0], 0L) & ExtentItem.FLAG_FULL_BACKREF) != 0;
        for (int i = 0; i < block.nritems(); i++) {
          long child = block.childBlockPtr(i);
          String ref = full ? "parent:" + b[0] : "root:" + block.owner();
          assertThat(expected.computeIfAbsent(child, k -> new HashSet<>()).add(ref))
              .as("block %d referenced twice as %s", child, ref)
              .isTrue();
          stack.add(new long[] {child, block.childGeneration(i), b[2] - 1});
        }
      }
    }
    Map<Long, Set<String>> actual = new HashMap<>();
    model.refs.forEach((bytenr, m) -> actual.put(bytenr, m.keySet()));
    assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);
  }

  private static TreeMap<Key, String> contents(TreeHarness h, WritableTree t) throws IOException {
    TreeMap<Key, byte[]> out = new TreeMap<>();
    for (Cursor c = t.readView().seekCeil(Key.MIN); c.valid(); c.next()) out.put(c.key(), c.data());
    return hex(out);
  }

  private static TreeMap<Key, String> hex(TreeMap<Key, byte[]> items) {
    TreeMap<Key, String> out = new TreeMap<>();
    items.forEach((k, v) -> out.put(k, java.util.HexFormat.of().formatHex(v)));
    return out;
  }
}
