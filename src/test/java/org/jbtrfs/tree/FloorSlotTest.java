package org.jbtrfs.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.jbtrfs.format.Key;
import org.junit.jupiter.api.Test;

/** TreeBlock.floorSlot: the last slot with key <= the probe, -1 when all keys are greater. */
class FloorSlotTest {
  private static final Key A = new Key(256, 1, 0);
  private static final Key B = new Key(256, 12, 256);
  private static final Key C = new Key(300, 84, 99);
  private static final Key D = new Key(-10L, 128, 4096); // unsigned: after every small objectid

  private static TreeBlock leaf() {
    return BlockBuilder.leaf(1 << 20)
        .item(A, new byte[1])
        .item(B, new byte[1])
        .item(C, new byte[1])
        .item(D, new byte[1])
        .block();
  }

  @Test
  void exactBetweenBeforeAndAfter() {
    TreeBlock b = leaf();
    assertThat(b.floorSlot(A)).isEqualTo(0);
    assertThat(b.floorSlot(B)).isEqualTo(1);
    assertThat(b.floorSlot(C)).isEqualTo(2);
    assertThat(b.floorSlot(D)).isEqualTo(3);
    assertThat(b.floorSlot(Key.MIN)).isEqualTo(-1);
    assertThat(b.floorSlot(new Key(255, 0xff, -1L))).isEqualTo(-1);
    assertThat(b.floorSlot(new Key(256, 1, 1))).isEqualTo(0);
    assertThat(b.floorSlot(new Key(299, 0, 0))).isEqualTo(1);
    assertThat(b.floorSlot(new Key(Long.MAX_VALUE, 0, 0))).isEqualTo(2);
    assertThat(b.floorSlot(new Key(-10L, 128, 4095))).isEqualTo(2);
    assertThat(b.floorSlot(Key.MAX)).isEqualTo(3);
  }

  @Test
  void emptyLeafHasNoFloor() {
    assertThat(BlockBuilder.leaf(1 << 20).block().floorSlot(A)).isEqualTo(-1);
  }

  @Test
  void nodeSlotsSearchTheSameWay() {
    TreeBlock n = BlockBuilder.node(1 << 20, 1).pointer(A, 1, 1).pointer(C, 2, 1).block();
    assertThat(n.floorSlot(B)).isEqualTo(0);
    assertThat(n.floorSlot(Key.MAX)).isEqualTo(1);
    assertThat(n.floorSlot(Key.MIN)).isEqualTo(-1);
  }

  @Test
  void agreesWithLinearScanOnRandomKeys() {
    Random rnd = new Random(42);
    List<Key> keys = new ArrayList<>();
    for (long id = 250; keys.size() < 100; id += 1 + rnd.nextInt(3)) {
      keys.add(new Key(id, rnd.nextInt(200), rnd.nextLong()));
    }
    BlockBuilder bb = BlockBuilder.leaf(1 << 20);
    keys.forEach(k -> bb.item(k, new byte[0]));
    TreeBlock b = bb.block();
    for (int i = 0; i < 2000; i++) {
      Key probe =
          rnd.nextBoolean()
              ? keys.get(rnd.nextInt(keys.size()))
              : new Key(240 + rnd.nextInt(320), rnd.nextInt(256), rnd.nextLong());
      int expected = -1;
      for (int s = 0; s < keys.size(); s++) if (keys.get(s).compareTo(probe) <= 0) expected = s;
      assertThat(b.floorSlot(probe)).as(probe.toString()).isEqualTo(expected);
    }
  }
}
