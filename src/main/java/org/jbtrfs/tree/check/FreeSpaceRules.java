package org.jbtrfs.tree.check;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.FreeSpaceInfo;
import org.jbtrfs.format.ItemType;

/**
 * The free space tree, checked on writable mounts only. FREE_SPACE_INFO: an aligned block group
 * range, fixed size, known flags, no more free extents than the group has sectors.
 * FREE_SPACE_EXTENT and FREE_SPACE_BITMAP (no kernel rule; every valid tree keeps these, and the
 * allocator trusts them): an aligned non-empty range, an extent with no data, a bitmap of one bit
 * per sector of its range.
 */
final class FreeSpaceRules {
  private FreeSpaceRules() {}

  static void check(ItemSlot s) throws FormatException {
    // Only a writer uses the free space tree (a read-only mount never allocates), and the kernel's
    // tree-checker has no rule for it: a read-only mount takes it as it is, as the kernel does,
    // while a writable one refuses to build on a damaged one.
    if (s.ctx.readOnly()) return;
    if (!s.aligned(s.objectId) || !s.aligned(s.offset)) {
      throw s.corrupt(
          "free space key is not aligned to "
              + s.ctx.sectorSize()
              + ", has ("
              + ItemSlot.u(s.objectId)
              + " "
              + s.type
              + " "
              + ItemSlot.u(s.offset)
              + ")");
    }
    switch (s.type) {
      case ItemType.FREE_SPACE_INFO -> checkInfo(s);
      case ItemType.FREE_SPACE_EXTENT -> checkRange(s, 0);
      default -> checkRange(s, bitmapBytes(s));
    }
  }

  private static void checkInfo(ItemSlot s) throws FormatException {
    if (s.size != FreeSpaceInfo.SIZE) {
      throw s.corrupt(
          "invalid item size for free space info, has " + s.size + " expect " + FreeSpaceInfo.SIZE);
    }
    long flags = s.u32(FreeSpaceInfo.OFF_FLAGS);
    if ((flags & ~FreeSpaceInfo.FLAG_USING_BITMAPS) != 0) {
      throw s.corrupt(
          "unknown flags for free space info, has "
              + ItemSlot.hex(flags)
              + " valid mask "
              + ItemSlot.hex(FreeSpaceInfo.FLAG_USING_BITMAPS));
    }
    long count = s.u32(FreeSpaceInfo.OFF_EXTENT_COUNT);
    long sectors = Long.divideUnsigned(s.offset, s.ctx.sectorSize());
    if (Long.compareUnsigned(count, sectors) > 0) {
      throw s.corrupt("suspicious extent count, has " + count + " max valid " + sectors);
    }
  }

  private static long bitmapBytes(ItemSlot s) {
    long sectors = Long.divideUnsigned(s.offset, s.ctx.sectorSize());
    return (sectors + 7) / 8;
  }

  private static void checkRange(ItemSlot s, long expectSize) throws FormatException {
    if (s.offset == 0) throw s.corrupt("invalid free space range length 0");
    if (s.size != expectSize) {
      throw s.corrupt(
          "invalid item size for "
              + ItemType.name(s.type)
              + ", has "
              + s.size
              + " expect "
              + expectSize);
    }
  }
}
