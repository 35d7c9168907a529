package org.jbtrfs.tree.check;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.ObjectIds;

/**
 * EXTENT_CSUM: keyed by the checksum objectid and a sector-aligned disk address, holding whole
 * checksums, and not covering sectors the next item covers too.
 */
final class CsumItemRules {
  private CsumItemRules() {}

  static void check(ItemSlot s) throws FormatException {
    if (s.objectId != ObjectIds.EXTENT_CSUM) {
      throw s.corrupt(
          "invalid key objectid for csum item, have "
              + ItemSlot.u(s.objectId)
              + " expect "
              + ItemSlot.u(ObjectIds.EXTENT_CSUM));
    }
    int sector = s.ctx.sectorSize();
    if (!s.aligned(s.offset)) {
      throw s.corrupt(
          "unaligned key offset for csum item, have "
              + ItemSlot.u(s.offset)
              + " should be aligned to "
              + sector);
    }
    int csum = s.ctx.csumSize();
    if (s.size % csum != 0) {
      throw s.corrupt(
          "unaligned item size for csum item, have " + s.size + " should be aligned to " + csum);
    }
    if (s.hasPrev() && s.prevType == ItemType.EXTENT_CSUM) {
      long prevEnd = s.prevOffset + (long) (s.prevSize / csum) * sector;
      if (Long.compareUnsigned(prevEnd, s.offset) > 0) {
        throw s.corruptPrev(
            "csum end range ("
                + ItemSlot.u(prevEnd)
                + ") goes beyond the start range ("
                + ItemSlot.u(s.offset)
                + ") of the next csum item");
      }
    }
  }
}
