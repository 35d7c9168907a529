package org.jbtrfs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.TreeMap;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.junit.jupiter.api.Test;

/** Fixed scenarios: a tree grown to level 3 and shrunk back, COW bookkeeping, size limits. */
class WritableTreeTest {

  private static Key key(long i) {
    return new Key(256 + i, 108, i * 4096);
  }

  private static byte[] value(long i, int size) {
    byte[] d = new byte[size];
    for (int j = 0; j < size; j++) d[j] = (byte) (i * 7 + j);
    return d;
  }

  /**
   * With 4 KiB blocks and items just too big to share a leaf, each leaf holds one item, so level 3
   * needs more than a level-2 tree of half-full nodes (~121 * 61 leaves). Commits every 1000 ops
   * make later steps COW checksummed, on-device blocks.
   */
  @Test
  void growsToLevelThreeAndShrinksBackToOneEmptyLeaf() throws Exception {
    TreeHarness h = new TreeHarness(4096);
    WritableTree t = WritableTree.create(h.ctx(), TreeHarness.OWNER);
    TreeMap<Key, byte[]> model = new TreeMap<>();
    int size = 2100;
    int n = 0;
    while (t.rootLevel() < 3) {
      // Interleave two halves of the key space so splits happen in the middle, not just at the end.
      long k = (n % 2 == 0) ? n : 1_000_000 - n;
      assertThat(t.insert(key(k), value(k, size))).isTrue();
      model.put(key(k), value(k, size));
      n++;
      if (n % 1000 == 0) {
        h.commit();
        t = h.reopen(t);
      }
      assertThat(n).isLessThan(40_000);
    }
    TreeInvariants.check(h, t, model);
    h.commit();
    t = h.reopen(t);
    TreeInvariants.check(h, t, model);
    int ops = 0;
    assertThat(t.rootLevel()).isEqualTo(3);
    java.util.Set<Integer> levels = new java.util.HashSet<>();
    // Delete from both ends and the middle in an order unrelated to insertion.
    Key[] keys = model.keySet().toArray(new Key[0]);
    for (int i = 0; i < keys.length; i++) {
      Key k = keys[(int) ((i * 7919L) % keys.length)];
      assertThat(t.delete(k)).isTrue();
      model.remove(k);
      levels.add(t.rootLevel());
      if (++ops % 1000 == 0) {
        TreeInvariants.check(h, t, model);
        h.commit();
        t = h.reopen(t);
      }
    }
    TreeInvariants.check(h, t, model);
    assertThat(levels).containsExactlyInAnyOrder(3, 2, 1, 0); // shrinks one level at a time
    assertThat(t.rootLevel()).isZero();
    assertThat(h.allocator.live()).containsExactly(t.rootBytenr());
    assertThat(new TreeBlock(0, h.dirty.dirty(t.rootBytenr())).nritems()).isZero();
  }

  /**
   * Keys added in ascending order (new inodes, the extents of a new chunk) fill their leaves: a
   * leaf split at the tree's right edge leaves the old leaf full, so 2,000 items of 100 bytes in 4
   * KiB leaves take as many leaves as they need and one more, not twice as many. Added in the
   * middle, the split stays even.
   */
  @Test
  void ascendingKeysFillTheirLeaves() throws Exception {
    TreeHarness h = new TreeHarness(4096);
    WritableTree t = WritableTree.create(h.ctx(), TreeHarness.OWNER);
    TreeMap<Key, byte[]> model = new TreeMap<>();
    for (int i = 0; i < 2000; i++) {
      t.insert(key(i), value(i, 100));
      model.put(key(i), value(i, 100));
    }
    TreeInvariants.check(h, t, model);
    int perLeaf = (4096 - TreeHeader.SIZE) / (100 + TreeHeader.ITEM_SIZE);
    long leaves = h.allocator.live().size() - 1; // less the one node above them
    assertThat(t.rootLevel()).isEqualTo(1);
    assertThat(leaves).isLessThanOrEqualTo(2000 / perLeaf + 1);

    TreeHarness h2 = new TreeHarness(4096);
    WritableTree middle = WritableTree.create(h2.ctx(), TreeHarness.OWNER);
    for (int i = 0; i < 2000; i++) {
      long k = i % 2 == 0 ? i : 1_000_000 - i; // the two halves meet in the middle
      middle.insert(key(k), value(k, 100));
    }
    assertThat(h2.allocator.live().size() - 1).isGreaterThan(2000 / perLeaf * 3 / 2);
  }

  @Test
  void cowMovesEveryBlockOnThePathOncePerTransaction() throws Exception {
    TreeHarness h = new TreeHarness(4096);
    WritableTree t = WritableTree.create(h.ctx(), TreeHarness.OWNER);
    for (int i = 0; i < 200; i++) t.insert(key(i), value(i, 100));
    assertThat(t.rootLevel()).isEqualTo(1);
    h.commit();
    t = h.reopen(t);
    long oldRoot = t.rootBytenr();
    long before = h.allocator.allocations;
    t.put(key(5), value(5, 100));
    assertThat(h.allocator.allocations - before).isEqualTo(2); // root node + one leaf
    assertThat(t.rootChanged()).isTrue();
    assertThat(t.rootBytenr()).isNotEqualTo(oldRoot);
    assertThat(t.rootGeneration()).isEqualTo(h.transid);
    byte[] root = h.dirty.dirty(t.rootBytenr());
    assertThat(Le.u64(root, TreeHeader.FLAGS)).isEqualTo(1L << 56);
    assertThat(Le.u64(root, TreeHeader.BYTENR)).isEqualTo(t.rootBytenr());
    t.put(key(6), value(6, 100)); // same leaf, already writable: modified in place
    assertThat(h.allocator.allocations - before).isEqualTo(2);
  }

  @Test
  void callsThatChangeNothingDirtyNothing() throws Exception {
    TreeHarness h = new TreeHarness(4096);
    WritableTree t = WritableTree.create(h.ctx(), TreeHarness.OWNER);
    for (int i = 0; i < 50; i++) t.insert(key(i), value(i, 100));
    h.commit();
    t = h.reopen(t);
    assertThat(t.insert(key(3), new byte[1])).isFalse();
    assertThat(t.delete(key(999))).isFalse();
    assertThat(t.deleteRange(key(1000), key(2000))).isZero();
    assertThat(t.modify(key(999), (b, off) -> b[off] = 1)).isFalse();
    assertThat(t.get(key(3))).isEqualTo(value(3, 100));
    assertThat(h.dirty.all()).isEmpty();
    assertThat(t.rootChanged()).isFalse();
  }

  @Test
  void modifyEditsInPlaceAndResizeZeroFills() throws Exception {
    TreeHarness h = new TreeHarness(16384);
    WritableTree t = WritableTree.create(h.ctx(), TreeHarness.OWNER);
    t.insert(key(1), value(1, 10));
    t.modify(key(1), (b, off) -> b[off + 9] = 42);
    byte[] expect = value(1, 10);
    expect[9] = 42;
    assertThat(t.get(key(1))).isEqualTo(expect);
    t.resize(key(1), 14);
    assertThat(t.get(key(1))).isEqualTo(Arrays.copyOf(expect, 14));
    t.resize(key(1), 3);
    assertThat(t.get(key(1))).isEqualTo(Arrays.copyOf(expect, 3));
  }

  @Test
  void itemsMustFitAnEmptyLeaf() throws Exception {
    TreeHarness h = new TreeHarness(4096);
    WritableTree t = WritableTree.create(h.ctx(), TreeHarness.OWNER);
    int max = 4096 - TreeHeader.SIZE - TreeHeader.ITEM_SIZE;
    assertThat(t.insert(key(1), new byte[max])).isTrue();
    assertThat(t.insert(key(2), new byte[max])).isTrue(); // a leaf each
    assertThatThrownBy(() -> t.insert(key(3), new byte[max + 1]))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> t.resize(key(1), max + 1))
        .isInstanceOf(IllegalArgumentException.class);
    TreeMap<Key, byte[]> model = new TreeMap<>();
    model.put(key(1), new byte[max]);
    model.put(key(2), new byte[max]);
    TreeInvariants.check(h, t, model);
  }
}
