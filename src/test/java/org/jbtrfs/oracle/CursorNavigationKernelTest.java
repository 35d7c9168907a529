package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbtrfs.format.Key;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cursor movement on a kernel-made fs tree of height >= 3 (root level >= 2), so next() and prev()
 * must climb more than one level to cross between leaves: both directions visit the same keys as
 * btrfs-progs prints, in strict order, and seeks agree with a search over the full key list.
 */
class CursorNavigationKernelTest {
  @TempDir Path dir;

  @Test
  void walksAMultiLevelTreeBothWaysAndSeeksLikeALinearScan() {
    Environment.requireOracleHost();
    // 20,000 empty files in 4 directories: four items each, about 600 16 KiB leaves.
    String populate =
        "python3 - <<'PY'\n"
            + "import os\n"
            + "for d in range(4):\n"
            + "    os.mkdir('dir%d' % d)\n"
            + "    for i in range(5000):\n"
            + "        open('dir%d/a-file-name-long-enough-to-fill-leaves-%05d' % (d, i),"
            + " 'wb').close()\n"
            + "PY\n";
    ScratchImage img =
        ScratchImage.create(
            dir, "cursor", 1L << 30, 1, List.of("--nodesize", "16384", "-m", "single"), populate);
    String dump = img.inspect("dump-tree", "-t", "5");
    Matcher root = Pattern.compile("(?m)^node \\d+ level (\\d+)").matcher(dump);
    assertThat(root.find()).as("fs tree root is a node").isTrue();
    assertThat(Integer.parseInt(root.group(1))).as("fs tree root level").isGreaterThanOrEqualTo(2);
    int expectedItems = DumpText.itemCount(dump);

    assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () -> {
          try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
            Tree tree = fs.subvolume(5).tree();
            List<Key> forward = new ArrayList<>();
            for (Cursor c = tree.seekCeil(Key.MIN); c.valid(); c.next()) forward.add(c.key());
            List<Key> backward = new ArrayList<>();
            for (Cursor c = tree.seekFloor(Key.MAX); c.valid(); c.prev()) backward.add(c.key());

            assertThat(forward).hasSize(expectedItems);
            for (int i = 1; i < forward.size(); i++) {
              assertThat(forward.get(i - 1).compareTo(forward.get(i)))
                  .as("order at " + i)
                  .isNegative();
            }
            Collections.reverse(backward);
            assertThat(backward).isEqualTo(forward);
            checkSeeks(tree, forward);
          }
        });
  }

  /** Random probes (existing keys, their neighbours, arbitrary keys) against the key list. */
  private static void checkSeeks(Tree tree, List<Key> keys) throws Exception {
    Random rnd = new Random(20_000);
    long maxId = keys.get(keys.size() - 1).objectId();
    for (int i = 0; i < 3000; i++) {
      Key k = keys.get(rnd.nextInt(keys.size()));
      Key probe =
          switch (i % 4) {
            case 0 -> k;
            case 1 -> new Key(k.objectId(), k.type(), k.offset() + 1);
            case 2 -> new Key(k.objectId(), k.type(), k.offset() - 1);
            default ->
                new Key(
                    rnd.nextInt((int) Math.min(maxId + 10, 1 << 20)),
                    rnd.nextInt(256),
                    rnd.nextLong());
          };
      int pos = Collections.binarySearch(keys, probe);
      int floor = pos >= 0 ? pos : -pos - 2; // last key <= probe, or -1
      int ceil = pos >= 0 ? pos : -pos - 1; // first key >= probe, or size

      Cursor f = tree.seekFloor(probe);
      if (floor < 0) {
        assertThat(f.valid()).as("no floor for " + probe).isFalse();
      } else {
        assertThat(f.key()).as("floor of " + probe).isEqualTo(keys.get(floor));
        if (f.next()) assertThat(f.key()).isEqualTo(keys.get(floor + 1));
        else assertThat(floor).isEqualTo(keys.size() - 1);
      }
      Cursor c = tree.seekCeil(probe);
      if (ceil >= keys.size()) {
        assertThat(c.valid()).as("no ceiling for " + probe).isFalse();
      } else {
        assertThat(c.key()).as("ceiling of " + probe).isEqualTo(keys.get(ceil));
        if (c.prev()) assertThat(c.key()).isEqualTo(keys.get(ceil - 1));
        else assertThat(ceil).isZero();
      }
    }
    assertThat(tree.seekFloor(Key.MIN).valid()).isFalse();
    assertThat(tree.seekCeil(Key.MAX).valid()).isFalse();
  }
}
