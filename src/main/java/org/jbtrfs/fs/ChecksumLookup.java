package org.jbtrfs.fs;

import java.io.IOException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;

/**
 * Finds data checksums in the csum tree. Items are keyed by the logical address of their first
 * sector and hold one checksum per sector, so a range may be covered by several items.
 */
public final class ChecksumLookup {
  private ChecksumLookup() {}

  /**
   * Copies the checksums of {@code sectors} sectors starting at {@code logical} into {@code out}
   * and marks which ones exist in {@code present}.
   */
  public static void fill(
      Tree csumTree,
      long logical,
      int sectors,
      int sectorSize,
      int csumSize,
      byte[] out,
      boolean[] present)
      throws IOException {
    if (csumTree == null) return;
    long end = logical + (long) sectors * sectorSize;
    Cursor c = csumTree.seekFloor(new Key(ObjectIds.EXTENT_CSUM, ItemType.EXTENT_CSUM, logical));
    if (!c.valid() || c.objectId() != ObjectIds.EXTENT_CSUM || c.type() != ItemType.EXTENT_CSUM) {
      c = csumTree.seekCeil(new Key(ObjectIds.EXTENT_CSUM, ItemType.EXTENT_CSUM, logical));
    }
    while (c.valid() && c.objectId() == ObjectIds.EXTENT_CSUM && c.type() == ItemType.EXTENT_CSUM) {
      long start = c.offset();
      if (Long.compareUnsigned(start, end) >= 0) break;
      int count = c.dataSize() / csumSize;
      long itemEnd = start + (long) count * sectorSize;
      long from = Math.max(start, logical);
      long to = Math.min(itemEnd, end);
      for (long a = from; a < to; a += sectorSize) {
        int srcIdx = (int) ((a - start) / sectorSize);
        int dstIdx = (int) ((a - logical) / sectorSize);
        System.arraycopy(
            c.raw(), c.dataOffset() + srcIdx * csumSize, out, dstIdx * csumSize, csumSize);
        present[dstIdx] = true;
      }
      c.next();
    }
  }
}
