package org.jbtrfs.tree;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.junit.jupiter.api.Test;

/** Keys compare as unsigned (objectid, type, offset), like the kernel's btrfs_comp_cpu_keys. */
class KeyOrderTest {
  @Test
  void negativeObjectIdsSortAfterSmallOnes() {
    Key csum = new Key(ObjectIds.EXTENT_CSUM, ItemType.EXTENT_CSUM, 0); // objectid -10
    Key fs = new Key(5, ItemType.ROOT_ITEM, 0);
    assertThat(csum.compareTo(fs)).isPositive();
    assertThat(fs.compareTo(csum)).isNegative();
    assertThat(new Key(-10L, 0, 0).compareTo(new Key(-9L, 0, 0))).isNegative();
    assertThat(Key.MAX.compareTo(csum)).isPositive();
    assertThat(Key.MIN.compareTo(fs)).isNegative();
  }

  @Test
  void offsetsAreUnsignedAndTypeBreaksTiesBeforeOffset() {
    assertThat(new Key(256, 1, -1L).compareTo(new Key(256, 1, 1L))).isPositive();
    assertThat(new Key(256, 1, Long.MAX_VALUE).compareTo(new Key(256, 1, Long.MIN_VALUE)))
        .isNegative();
    assertThat(new Key(256, 1, -1L).compareTo(new Key(256, 12, 0))).isNegative();
    assertThat(new Key(256, 0xff, 0).compareTo(new Key(257, 0, 0))).isNegative();
  }

  @Test
  void byteComparisonAgreesWithRecordComparison() {
    long[] ids = {0, 1, 5, 256, Long.MAX_VALUE, Long.MIN_VALUE, -10L, -1L};
    int[] types = {0, 1, 84, 0xff};
    long[] offs = {0, 7, Long.MAX_VALUE, Long.MIN_VALUE, -1L};
    List<Key> keys = new ArrayList<>();
    for (long id : ids) for (int t : types) for (long o : offs) keys.add(new Key(id, t, o));
    byte[] buf = new byte[Key.SIZE];
    for (Key a : keys) {
      for (Key b : keys) {
        b.write(buf, 0);
        assertThat(Integer.signum(a.compareTo(buf, 0)))
            .as(a + " vs " + b)
            .isEqualTo(Integer.signum(a.compareTo(b)));
        assertThat(Key.read(buf, 0)).isEqualTo(b);
      }
    }
  }
}
