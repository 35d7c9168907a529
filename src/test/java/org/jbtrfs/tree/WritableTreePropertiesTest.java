package org.jbtrfs.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.jbtrfs.format.Key;

/**
 * Random operation sequences against a TreeMap model: after every step the tree must equal the
 * model and satisfy {@link TreeInvariants}; commits at random points move the tree's blocks to the
 * checksummed device so later steps COW committed blocks. Each sequence grows and then mostly
 * deletes, so splits, merges, root growth and root collapse all happen; at the end everything is
 * deleted and only one empty root leaf may remain.
 */
class WritableTreePropertiesTest {

  @Property(tries = 200)
  void matchesModel(
      @ForAll("nodeSizes") int nodeSize,
      @ForAll @IntRange(min = 0, max = 2) int keyMode,
      @ForAll @IntRange(min = 0, max = 2) int sizeMode,
      @ForAll @IntRange(min = 50, max = 3000) int ops,
      @ForAll @IntRange(min = 0, max = 60) int commitPerMille,
      @ForAll long seed)
      throws Exception {
    run(nodeSize, keyMode, sizeMode, ops, commitPerMille, seed, GROW);
  }

  /** Insert-heavy runs with large items on small blocks, so the tree reaches level 2 and back. */
  @Property(tries = 30)
  void deepTreesMatchModel(
      @ForAll @IntRange(min = 1, max = 2) int keyMode,
      @ForAll @IntRange(min = 1500, max = 3000) int ops,
      @ForAll @IntRange(min = 0, max = 20) int commitPerMille,
      @ForAll long seed)
      throws Exception {
    run(4096, keyMode, 3, ops, commitPerMille, seed, DEEP_GROW);
  }

  private void run(
      int nodeSize,
      int keyMode,
      int sizeMode,
      int ops,
      int commitPerMille,
      long seed,
      int[] growWeights)
      throws Exception {
    Random rnd = new Random(seed);
    TreeHarness h = new TreeHarness(nodeSize);
    WritableTree t = WritableTree.create(h.ctx(), TreeHarness.OWNER);
    TreeMap<Key, byte[]> model = new TreeMap<>();
    List<Key> known = new ArrayList<>();
    int checkEvery = ops > 1000 ? 5 : 1;
    int maxLevel = 0;
    for (int i = 0; i < ops; i++) {
      boolean growing = i < ops * 3 / 5;
      step(t, model, known, rnd, nodeSize, keyMode, sizeMode, growing ? growWeights : SHRINK);
      if (rnd.nextInt(1000) < commitPerMille) {
        h.commit();
        t = h.reopen(t);
        assertThat(t.rootChanged()).isFalse();
      }
      if (i % checkEvery == 0 || i == ops - 1) TreeInvariants.check(h, t, model);
      maxLevel = Math.max(maxLevel, t.rootLevel());
    }
    Statistics.label("max level").collect(maxLevel);
    Statistics.label("commits").collect(h.commits == 0 ? "0" : h.commits < 10 ? "1-9" : "10+");
    int removed = t.deleteRange(Key.MIN, Key.MAX);
    assertThat(removed).isEqualTo(model.size());
    model.clear();
    TreeInvariants.check(h, t, model);
    assertThat(t.rootLevel()).isZero();
    assertThat(h.allocator.live()).containsExactly(t.rootBytenr());
    h.commit();
    t = h.reopen(t);
    TreeInvariants.check(h, t, model);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> nodeSizes() {
    return net.jqwik.api.Arbitraries.of(4096, 16384);
  }

  private static void step(
      WritableTree t,
      TreeMap<Key, byte[]> model,
      List<Key> known,
      Random rnd,
      int nodeSize,
      int keyMode,
      int sizeMode,
      int[] weights)
      throws Exception {
    int op = pick(rnd, weights);
    Key key =
        rnd.nextInt(3) == 0 && !known.isEmpty()
            ? known.get(rnd.nextInt(known.size()))
            : newKey(rnd, keyMode, known);
    if (op == 0) {
      byte[] d = data(rnd, nodeSize, sizeMode);
      boolean fresh = !model.containsKey(key);
      assertThat(t.insert(key, d)).isEqualTo(fresh);
      if (fresh) model.put(key, d);
    } else if (op == 1) {
      byte[] d = data(rnd, nodeSize, sizeMode);
      t.put(key, d);
      model.put(key, d);
    } else if (op == 2) {
      assertThat(t.delete(key)).isEqualTo(model.remove(key) != null);
    } else if (op == 3) {
      // Half the ranges cover one object id (like truncating a file's items), half are arbitrary.
      Key to = rnd.nextBoolean() ? new Key(key.objectId(), 255, -1L) : newKey(rnd, keyMode, known);
      Key from = key.compareTo(to) <= 0 ? key : to;
      if (from != key) to = key;
      var sub = model.subMap(from, true, to, true);
      int expected = sub.size();
      sub.clear();
      assertThat(t.deleteRange(from, to)).isEqualTo(expected);
    } else if (op == 4) {
      byte[] old = model.get(key);
      int size = data(rnd, nodeSize, sizeMode).length;
      if (old == null) return;
      t.resize(key, size);
      model.put(key, Arrays.copyOf(old, size));
    } else if (op == 5) {
      byte[] old = model.get(key);
      byte salt = (byte) rnd.nextInt();
      boolean done =
          t.modify(
              key,
              (block, off) -> {
                for (int j = 0; j < old.length; j++) block[off + j] = (byte) (j * 31 + salt);
              });
      assertThat(done).isEqualTo(old != null);
      if (old != null) for (int j = 0; j < old.length; j++) old[j] = (byte) (j * 31 + salt);
    } else {
      assertThat(t.get(key)).isEqualTo(model.get(key));
    }
  }

  /** Weights of insert, put, delete, deleteRange, resize, modify, get while growing / shrinking. */
  private static final int[] GROW = {45, 15, 12, 1, 12, 5, 10};

  private static final int[] DEEP_GROW = {70, 10, 5, 0, 10, 2, 3};
  private static final int[] SHRINK = {10, 5, 60, 3, 10, 5, 7};

  private static int pick(Random rnd, int[] weights) {
    int r = rnd.nextInt(Arrays.stream(weights).sum());
    int i = 0;
    while (r >= weights[i]) r -= weights[i++];
    return i;
  }

  /** Dense keys collide a lot; wide keys use the whole unsigned range; sequential keys append. */
  private static Key newKey(Random rnd, int mode, List<Key> known) {
    Key k;
    switch (mode) {
      case 0 ->
          k = new Key(rnd.nextInt(64), new int[] {1, 12, 84, 108}[rnd.nextInt(4)], rnd.nextInt(16));
      case 1 -> k = new Key(rnd.nextLong(), rnd.nextInt(256), rnd.nextLong());
      default -> k = new Key(256 + known.size() / 3, 108, (known.size() % 3) * 4096L);
    }
    if (known.size() < 5000) known.add(k);
    return k;
  }

  /**
   * Tiny items pack hundreds per leaf; large ones (up to a quarter block) force frequent splits.
   */
  private static byte[] data(Random rnd, int nodeSize, int mode) {
    int size =
        switch (mode) {
          case 0 -> rnd.nextInt(33);
          case 1 -> 1 + rnd.nextInt(nodeSize / 4);
          case 3 -> nodeSize / 8 + rnd.nextInt(nodeSize / 8);
          default -> rnd.nextInt(8) == 0 ? 1 + rnd.nextInt(nodeSize / 4) : rnd.nextInt(200);
        };
    byte[] d = new byte[size];
    rnd.nextBytes(d);
    return d;
  }
}
