package org.jbtrfs.tree.check;

import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;

/**
 * The inline back references of an extent item, from {@code start} to the item's end: each of a
 * known type and fully inside the item, with no padding after the last; parent addresses and file
 * offsets sector aligned; data refs owned by a tree that may hold data, with a non-zero count; and
 * in the order the kernel inserts them (types ascending; within a type, offset, or for
 * EXTENT_DATA_REF its hash, descending), which its lookups rely on.
 */
final class InlineRefRules {
  private InlineRefRules() {}

  /** Checks the refs; returns how many references they add up to. */
  static long check(ItemSlot s, int start) throws FormatException {
    int pos = start;
    long refs = 0;
    int lastType = 0;
    long lastSeq = -1L; // u64 max: any first sequence is in order
    while (pos < s.size) {
      int type = s.u8(pos);
      int refSize = ExtentItem.inlineRefSize(type);
      if (refSize == 0) throw s.corrupt("unknown inline ref type: " + type);
      if (pos + refSize > s.size) {
        throw s.corrupt(
            "inline ref item overflows extent item, ptr "
                + pos
                + " iref size "
                + refSize
                + " end "
                + s.size);
      }
      int body = pos + ExtentItem.INLINE_TYPE_SIZE;
      long offset = s.u64(body);
      long seq = offset;
      switch (type) {
        case ItemType.TREE_BLOCK_REF -> refs++;
        case ItemType.SHARED_BLOCK_REF -> {
          requireAligned(s, offset, "invalid tree parent bytenr");
          refs++;
        }
        case ItemType.EXTENT_DATA_REF -> {
          long root = s.u64(body + ExtentItem.DATA_REF_ROOT);
          long ino = s.u64(body + ExtentItem.DATA_REF_OBJECTID);
          long fileOffset = s.u64(body + ExtentItem.DATA_REF_OFFSET);
          long count = s.u32(body + ExtentItem.DATA_REF_COUNT);
          seq = ExtentItem.dataRefHash(root, ino, fileOffset);
          if (!DataRefOwner.validRoot(root)) {
            throw s.corrupt("invalid data ref root value " + ItemSlot.u(root));
          }
          if (!DataRefOwner.validInode(ino)) {
            throw s.corrupt("invalid data ref objectid value " + ItemSlot.u(ino));
          }
          requireAligned(s, fileOffset, "invalid data ref offset");
          if (count == 0) throw s.corrupt("invalid data ref count, should have non-zero value");
          refs += count;
        }
        case ItemType.SHARED_DATA_REF -> {
          requireAligned(s, offset, "invalid data parent bytenr");
          long count = s.u32(body + ExtentItem.SHARED_DATA_REF_COUNT_INLINE);
          if (count == 0) {
            throw s.corrupt("invalid shared data ref count, should have non-zero value");
          }
          refs += count;
        }
        default -> {
          // EXTENT_OWNER_REF (simple quotas) names the owning root; nothing to check in it.
        }
      }
      if (type < lastType) {
        throw s.corrupt("inline ref out-of-order: has type " + type + ", prev type " + lastType);
      }
      if (type > lastType) lastSeq = -1L;
      if (Long.compareUnsigned(seq, lastSeq) > 0) {
        throw s.corrupt(
            "inline ref out-of-order: has type "
                + type
                + " offset "
                + ItemSlot.u(offset)
                + " seq "
                + ItemSlot.hex(seq)
                + ", prev type "
                + lastType
                + " seq "
                + ItemSlot.hex(lastSeq));
      }
      lastType = type;
      lastSeq = seq;
      pos += refSize;
    }
    return refs;
  }

  private static void requireAligned(ItemSlot s, long value, String what) throws FormatException {
    if (!s.aligned(value)) {
      throw s.corrupt(
          what + ", have " + ItemSlot.u(value) + " expect aligned to " + s.ctx.sectorSize());
    }
  }
}
