package org.jbtrfs.extent;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.tree.WritableTree;

/**
 * The free space tree (space_cache=v2): per block group a FREE_SPACE_INFO item followed by either
 * FREE_SPACE_EXTENT items (key = start, length) or FREE_SPACE_BITMAP items (one bit per sector, set
 * = free).
 */
public final class FreeSpaceTree {
  public static final int INFO_SIZE = 8;
  public static final int FLAG_USING_BITMAPS = 1;

  private FreeSpaceTree() {}

  /** Loads the free ranges of {@code bg} into its map. */
  static void load(Tree fst, BlockGroup bg, int sectorSize) throws IOException {
    Cursor info = fst.find(new Key(bg.start(), ItemType.FREE_SPACE_INFO, bg.length()));
    if (info == null)
      throw new FormatException("free space tree has no info for block group " + bg.start());
    for (Cursor c = fst.seekCeil(new Key(bg.start(), ItemType.FREE_SPACE_EXTENT, 0));
        c.valid();
        c.next()) {
      long start = c.objectId();
      if (start >= bg.end()) break;
      if (c.type() == ItemType.FREE_SPACE_EXTENT) {
        checkInside(bg, start, c.offset());
        bg.free().add(start, c.offset());
      } else if (c.type() == ItemType.FREE_SPACE_BITMAP) {
        checkInside(bg, start, c.offset());
        loadBitmap(bg, start, c.offset(), c.raw(), c.dataOffset(), c.dataSize(), sectorSize);
      } else if (c.type() != ItemType.FREE_SPACE_INFO) {
        throw new FormatException(
            "unexpected " + ItemType.name(c.type()) + " in the free space tree");
      }
    }
  }

  private static void checkInside(BlockGroup bg, long start, long len) throws FormatException {
    if (start < bg.start() || start + len > bg.end() || len <= 0) {
      throw new FormatException(
          "free space entry " + start + "+" + len + " outside block group " + bg.start());
    }
  }

  private static void loadBitmap(
      BlockGroup bg, long start, long len, byte[] b, int off, int size, int sector)
      throws FormatException {
    long bits = len / sector;
    if ((bits + 7) / 8 > size)
      throw new FormatException("free space bitmap at " + start + " too small");
    long runStart = -1;
    for (long i = 0; i <= bits; i++) {
      boolean set = i < bits && (b[off + (int) (i >>> 3)] & (1 << (i & 7))) != 0;
      if (set && runStart < 0) runStart = i;
      if (!set && runStart >= 0) {
        bg.free().add(start + runStart * sector, (i - runStart) * sector);
        runStart = -1;
      }
    }
  }

  /**
   * Makes the entries of {@code bg} plain extents listing {@code freeRanges}. Only entries that
   * differ are deleted or inserted: rewriting a whole fragmented group would free and allocate
   * leaves on every pass, and the allocations would dirty the group again, so commit bookkeeping
   * would never settle. A group still described by bitmaps is converted in one go.
   */
  public static void rewrite(WritableTree fst, BlockGroup bg, Map<Long, Long> freeRanges)
      throws IOException {
    Map<Long, Long> have = new TreeMap<>();
    boolean bitmaps = false;
    Cursor c = fst.readView().seekCeil(new Key(bg.start(), ItemType.FREE_SPACE_EXTENT, 0));
    for (; c.valid() && Long.compareUnsigned(c.objectId(), bg.end()) < 0; c.next()) {
      if (c.type() == ItemType.FREE_SPACE_EXTENT) have.put(c.objectId(), c.offset());
      else if (c.type() == ItemType.FREE_SPACE_BITMAP) bitmaps = true;
    }
    if (bitmaps) {
      fst.deleteRange(
          new Key(bg.start(), ItemType.FREE_SPACE_EXTENT, 0),
          new Key(bg.end() - 1, ItemType.FREE_SPACE_BITMAP, -1L));
      have.clear();
    }
    for (Map.Entry<Long, Long> e : have.entrySet()) {
      if (!e.getValue().equals(freeRanges.get(e.getKey())))
        fst.delete(new Key(e.getKey(), ItemType.FREE_SPACE_EXTENT, e.getValue()));
    }
    for (Map.Entry<Long, Long> e : freeRanges.entrySet()) {
      if (!e.getValue().equals(have.get(e.getKey())))
        fst.insert(new Key(e.getKey(), ItemType.FREE_SPACE_EXTENT, e.getValue()), new byte[0]);
    }
    byte[] info = new byte[INFO_SIZE];
    Le.put32(info, 0, freeRanges.size());
    Le.put32(info, 4, 0);
    Key infoKey = new Key(bg.start(), ItemType.FREE_SPACE_INFO, bg.length());
    if (!Arrays.equals(info, fst.get(infoKey))) fst.put(infoKey, info);
  }

  /** Deletes every entry of {@code bg} (its info, extents and bitmaps): its chunk goes away. */
  public static void removeGroup(WritableTree fst, BlockGroup bg) throws IOException {
    fst.deleteRange(new Key(bg.start(), 0, 0), new Key(bg.end() - 1, 0xff, -1L));
  }
}
