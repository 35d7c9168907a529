package org.jbtrfs.tree.check;

import org.jbtrfs.format.Align;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;

/**
 * EXTENT_DATA: a known type, compression and no encryption; an inline extent at file offset 0 whose
 * uncompressed bytes fill the item exactly; a regular or prealloc extent of fixed size with every
 * address and length sector aligned and no end past 2^64; and no overlap with the extent before it
 * of the same inode.
 */
final class FileExtentRules {
  private FileExtentRules() {}

  static void check(ItemSlot s) throws FormatException {
    if (!s.aligned(s.offset)) {
      throw s.corrupt(
          "unaligned file_offset for file extent, have "
              + ItemSlot.u(s.offset)
              + " should be aligned to "
              + s.ctx.sectorSize());
    }
    InodeOrderRule.check(s);
    if (s.size < FileExtentItem.INLINE_HEADER_SIZE) {
      throw s.corrupt(
          "invalid item size, have "
              + s.size
              + " expect ["
              + FileExtentItem.INLINE_HEADER_SIZE
              + ", 4096)");
    }
    int type = s.u8(FileExtentItem.OFF_TYPE);
    if (type >= FileExtentItem.TYPE_COUNT) {
      throw s.corrupt(
          "invalid type for file extent, have "
              + type
              + " expect range [0, "
              + (FileExtentItem.TYPE_COUNT - 1)
              + "]");
    }
    int compression = s.u8(FileExtentItem.OFF_COMPRESSION);
    if (compression >= FileExtentItem.COMPRESSION_COUNT) {
      throw s.corrupt(
          "invalid compression for file extent, have "
              + compression
              + " expect range [0, "
              + (FileExtentItem.COMPRESSION_COUNT - 1)
              + "]");
    }
    int encryption = s.u8(FileExtentItem.OFF_ENCRYPTION);
    if (encryption != 0) {
      throw s.corrupt("invalid encryption for file extent, have " + encryption + " expect 0");
    }
    if (type == FileExtentItem.TYPE_INLINE) {
      checkInline(s, compression);
      return;
    }
    if (s.size != FileExtentItem.SIZE) {
      throw s.corrupt(
          "invalid item size for reg/prealloc file extent, have "
              + s.size
              + " expect "
              + FileExtentItem.SIZE);
    }
    aligned(s, FileExtentItem.OFF_RAM_BYTES, "ram_bytes");
    aligned(s, FileExtentItem.OFF_DISK_BYTENR, "disk_bytenr");
    aligned(s, FileExtentItem.OFF_DISK_NUM_BYTES, "disk_num_bytes");
    aligned(s, FileExtentItem.OFF_OFFSET, "offset");
    aligned(s, FileExtentItem.OFF_NUM_BYTES, "num_bytes");
    long numBytes = s.u64(FileExtentItem.OFF_NUM_BYTES);
    if (Long.compareUnsigned(s.offset + numBytes, s.offset) < 0) {
      throw s.corrupt(
          "extent end overflow, have file offset "
              + ItemSlot.u(s.offset)
              + " extent num bytes "
              + ItemSlot.u(numBytes));
    }
    checkNoOverlapWithPrevious(s);
  }

  private static void checkInline(ItemSlot s, int compression) throws FormatException {
    if (s.offset != 0) {
      throw s.corrupt(
          "invalid file_offset for inline file extent, have " + ItemSlot.u(s.offset) + " expect 0");
    }
    // A compressed inline extent's item holds the compressed bytes: no size to compare.
    if (compression != 0) return;
    long ram = s.u64(FileExtentItem.OFF_RAM_BYTES);
    if (s.size != FileExtentItem.INLINE_HEADER_SIZE + ram) {
      throw s.corrupt(
          "invalid ram_bytes for uncompressed inline extent, have "
              + s.size
              + " expect "
              + ItemSlot.u(FileExtentItem.INLINE_HEADER_SIZE + ram));
    }
  }

  private static void aligned(ItemSlot s, int field, String name) throws FormatException {
    long v = s.u64(field);
    if (!s.aligned(v)) {
      throw s.corrupt(
          "invalid "
              + name
              + " for file extent, have "
              + ItemSlot.u(v)
              + ", should be aligned to "
              + s.ctx.sectorSize());
    }
  }

  /**
   * Two extents of one inode next to each other in the leaf must not claim the same file bytes. The
   * previous item passed these rules already, so its fields are safe to read.
   */
  private static void checkNoOverlapWithPrevious(ItemSlot s) throws FormatException {
    if (!s.hasPrev() || s.prevObjectId != s.objectId || s.prevType != ItemType.EXTENT_DATA) {
      return;
    }
    long prevEnd;
    if (s.u8Prev(FileExtentItem.OFF_TYPE) == FileExtentItem.TYPE_INLINE) {
      // An inline extent covers its bytes rounded up to a sector.
      long ram = s.u64Prev(FileExtentItem.OFF_RAM_BYTES);
      prevEnd = Align.upToEnd(s.prevOffset + ram, s.ctx.sectorSize());
    } else {
      prevEnd = s.prevOffset + s.u64Prev(FileExtentItem.OFF_NUM_BYTES);
    }
    if (Long.compareUnsigned(prevEnd, s.offset) > 0) {
      throw s.corruptPrev(
          "file extent end range ("
              + ItemSlot.u(prevEnd)
              + ") goes beyond start offset ("
              + ItemSlot.u(s.offset)
              + ") of the next file extent");
    }
  }
}
