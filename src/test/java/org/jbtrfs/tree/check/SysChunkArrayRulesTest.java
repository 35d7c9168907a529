package org.jbtrfs.tree.check;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.junit.jupiter.api.Test;

/** The superblock's system chunk array: key, chunk, key, chunk... each a valid SYSTEM chunk. */
class SysChunkArrayRulesTest {
  private static final long DUP = 1L << 5;

  private static byte[] array(long logical, byte[] chunk) {
    byte[] b = new byte[Key.SIZE + chunk.length];
    new Key(ObjectIds.FIRST_CHUNK_TREE, ItemType.CHUNK_ITEM, logical).write(b, 0);
    System.arraycopy(chunk, 0, b, Key.SIZE, chunk.length);
    return b;
  }

  private static byte[] system() {
    return array(
        1 << 20, ChunkItemRulesTest.chunk(8 << 20, BlockGroupItem.TYPE_SYSTEM | DUP, 2, 1));
  }

  private static void fails(byte[] array, String rule) {
    assertThatThrownBy(() -> SysChunkArrayRules.check(array, Fixture.ctx()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("corrupt superblock syschunk array: chunk_start=")
        .hasMessageContaining(rule);
  }

  @Test
  void acceptsSystemChunks() {
    byte[] one = system();
    byte[] two =
        array(9 << 20, ChunkItemRulesTest.chunk(8 << 20, BlockGroupItem.TYPE_SYSTEM, 1, 1));
    byte[] both = java.util.Arrays.copyOf(one, one.length + two.length);
    System.arraycopy(two, 0, both, one.length, two.length);
    assertThatCode(() -> SysChunkArrayRules.check(both, Fixture.ctx())).doesNotThrowAnyException();
  }

  @Test
  void rejectsANonSystemOrBrokenChunk() {
    fails(
        array(1 << 20, ChunkItemRulesTest.chunk(8 << 20, BlockGroupItem.TYPE_DATA, 1, 1)),
        "invalid chunk type 0x1 in sys_array");
    byte[] stripes = system();
    Le.put16(stripes, Key.SIZE + ChunkItem.OFF_NUM_STRIPES, 3);
    fails(stripes, "sys_array too short for 3 stripes");
    byte[] length = system();
    Le.put64(length, Key.SIZE + ChunkItem.OFF_LENGTH, 100);
    fails(length, "chunk_start=1048576, invalid chunk length, have 100");
    byte[] key = system();
    key[8] = (byte) ItemType.DEV_ITEM;
    fails(key, "unexpected item type 216 in sys_array");
    fails(java.util.Arrays.copyOf(system(), 30), "sys_array too short to read a chunk at offset 0");
  }
}
