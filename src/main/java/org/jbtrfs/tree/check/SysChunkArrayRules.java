package org.jbtrfs.tree.check;

import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;

/**
 * The superblock's system chunk array, which maps the chunk tree before any tree can be read: every
 * entry a CHUNK_ITEM key and a SYSTEM chunk wholly inside the array, each passing the chunk rules
 * of a leaf's chunk items, as the kernel checks it at mount.
 */
public final class SysChunkArrayRules {
  private SysChunkArrayRules() {}

  public static void check(byte[] array, CheckContext ctx) throws FormatException {
    if (!ctx.enabled()) return;
    int pos = 0;
    while (pos < array.length) {
      if (pos + Key.SIZE + ChunkItem.HEADER_SIZE > array.length) {
        throw corrupt(-1, "sys_array too short to read a chunk at offset " + pos);
      }
      int type = Le.u8(array, pos + 8);
      long logical = Le.u64(array, pos + 9);
      if (type != ItemType.CHUNK_ITEM) {
        throw corrupt(logical, "unexpected item type " + type + " in sys_array at offset " + pos);
      }
      int chunk = pos + Key.SIZE;
      int numStripes = Le.u16(array, chunk + ChunkItem.OFF_NUM_STRIPES);
      if (numStripes != 0 && chunk + ChunkItem.sizeFor(numStripes) > array.length) {
        throw corrupt(logical, "sys_array too short for " + numStripes + " stripes");
      }
      long chunkType = Le.u64(array, chunk + ChunkItem.OFF_TYPE);
      if ((chunkType & BlockGroupItem.TYPE_SYSTEM) == 0) {
        throw corrupt(logical, "invalid chunk type " + ItemSlot.hex(chunkType) + " in sys_array");
      }
      String problem = ChunkItemRules.problem(array, chunk, logical, ctx);
      if (problem != null) throw corrupt(logical, problem);
      pos = chunk + ChunkItem.sizeFor(numStripes);
    }
  }

  private static FormatException corrupt(long logical, String rule) {
    return new FormatException(
        "corrupt superblock syschunk array: chunk_start=" + ItemSlot.u(logical) + ", " + rule);
  }
}
