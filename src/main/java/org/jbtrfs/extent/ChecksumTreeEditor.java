package org.jbtrfs.extent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;

/**
 * Adds and removes data checksums in the csum tree. Items hold consecutive per-sector checksums
 * starting at their key offset; removing a range trims or splits the items that overlap it.
 */
public final class ChecksumTreeEditor {
  private final WritableTree tree;
  private final int sectorSize;
  private final int csumSize;
  private final int maxPerItem;

  public ChecksumTreeEditor(WritableTree tree, int sectorSize, int csumSize, int nodeSize) {
    this.tree = tree;
    this.sectorSize = sectorSize;
    this.csumSize = csumSize;
    // As many as the kernel puts in one item (its MAX_CSUM_ITEMS): a leaf's data area less two
    // item headers, less one checksum. Items that big fill leaves, as the kernel's do; smaller
    // ones left every leaf of a sequential write half empty after its even split.
    this.maxPerItem =
        Math.max(1, (nodeSize - TreeHeader.SIZE - 2 * TreeHeader.ITEM_SIZE) / csumSize - 1);
  }

  /**
   * Records {@code csums} (one per sector) for the data starting at {@code logical}. Like the
   * kernel's btrfs_csum_file_blocks, the item that ends right where this data starts grows to take
   * them (up to the item limit), so consecutive extents share items and leaves.
   */
  public void insert(long logical, byte[] csums) throws IOException {
    int count = csums.length / csumSize;
    int done = extendPrevious(logical, csums, count);
    for (int i = done; i < count; i += maxPerItem) {
      int n = Math.min(maxPerItem, count - i);
      byte[] part = Arrays.copyOfRange(csums, i * csumSize, (i + n) * csumSize);
      tree.put(key(logical + (long) i * sectorSize), part);
    }
  }

  /** Appends the first checksums to the item ending at {@code logical}; returns how many. */
  private int extendPrevious(long logical, byte[] csums, int count) throws IOException {
    if (logical < sectorSize) return 0;
    Cursor c = tree.readView().seekFloor(key(logical - sectorSize));
    if (!c.valid() || !isCsum(c)) return 0;
    long start = c.offset();
    int have = c.dataSize() / csumSize;
    if (start + (long) have * sectorSize != logical || have >= maxPerItem) return 0;
    int add = Math.min(count, maxPerItem - have);
    byte[] grown = Arrays.copyOf(c.data(), (have + add) * csumSize);
    System.arraycopy(csums, 0, grown, have * csumSize, add * csumSize);
    tree.put(key(start), grown);
    return add;
  }

  /** Drops the checksums of [start, start+len). */
  public void delete(long start, long len) throws IOException {
    long end = start + len;
    record Piece(long itemStart, byte[] data) {}
    List<Piece> overlapping = new ArrayList<>();
    Cursor c = tree.readView().seekFloor(key(start));
    if (!c.valid() || !isCsum(c)) c = tree.readView().seekCeil(key(start));
    for (; c.valid() && isCsum(c) && Long.compareUnsigned(c.offset(), end) < 0; c.next()) {
      long s = c.offset();
      long e = s + (long) (c.dataSize() / csumSize) * sectorSize;
      if (e > start) overlapping.add(new Piece(s, c.data()));
    }
    for (Piece p : overlapping) {
      long s = p.itemStart();
      long e = s + (long) (p.data().length / csumSize) * sectorSize;
      tree.delete(key(s));
      if (s < start) tree.put(key(s), slice(p.data(), 0, (start - s) / sectorSize));
      if (e > end)
        tree.put(key(end), slice(p.data(), (end - s) / sectorSize, (e - s) / sectorSize));
    }
  }

  private byte[] slice(byte[] data, long fromSector, long toSector) {
    return Arrays.copyOfRange(data, (int) fromSector * csumSize, (int) toSector * csumSize);
  }

  private static boolean isCsum(Cursor c) {
    return c.objectId() == ObjectIds.EXTENT_CSUM && c.type() == ItemType.EXTENT_CSUM;
  }

  private static Key key(long logical) {
    return new Key(ObjectIds.EXTENT_CSUM, ItemType.EXTENT_CSUM, logical);
  }
}
