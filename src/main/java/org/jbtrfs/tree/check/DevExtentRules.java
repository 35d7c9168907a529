package org.jbtrfs.tree.check;

import org.jbtrfs.format.DevExtent;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ObjectIds;

/**
 * DEV_EXTENT: of fixed size, belonging to the chunk tree's chunks, with aligned device offset,
 * chunk offset and length, and not overlapping the extent before it on the same device.
 */
final class DevExtentRules {
  private DevExtentRules() {}

  static void check(ItemSlot s) throws FormatException {
    // The kernel reads the fields without a size check (its buffer is the whole block); here the
    // item must hold them.
    if (s.size != DevExtent.SIZE) {
      throw s.corrupt("invalid dev extent item size, has " + s.size + " expect " + DevExtent.SIZE);
    }
    long chunkTree = s.u64(DevExtent.OFF_CHUNK_TREE);
    if (chunkTree != ObjectIds.CHUNK_TREE) {
      throw s.corrupt(
          "invalid dev extent chunk tree id, has "
              + ItemSlot.u(chunkTree)
              + " expect "
              + ObjectIds.CHUNK_TREE);
    }
    long chunkObjectId = s.u64(DevExtent.OFF_CHUNK_OBJECTID);
    if (chunkObjectId != ObjectIds.FIRST_CHUNK_TREE) {
      throw s.corrupt(
          "invalid dev extent chunk objectid, has "
              + ItemSlot.u(chunkObjectId)
              + " expect "
              + ObjectIds.FIRST_CHUNK_TREE);
    }
    int sector = s.ctx.sectorSize();
    if (!s.aligned(s.offset)) {
      throw s.corrupt(
          "invalid dev extent key.offset, has "
              + ItemSlot.u(s.offset)
              + " not aligned to "
              + sector);
    }
    long chunkOffset = s.u64(DevExtent.OFF_CHUNK_OFFSET);
    if (!s.aligned(chunkOffset)) {
      throw s.corrupt(
          "invalid dev extent chunk offset, has "
              + ItemSlot.u(chunkOffset)
              + " not aligned to "
              + sector);
    }
    long length = s.u64(DevExtent.OFF_LENGTH);
    if (!s.aligned(length)) {
      throw s.corrupt(
          "invalid dev extent length, has " + ItemSlot.u(length) + " not aligned to " + sector);
    }
    if (s.hasPrev() && s.prevObjectId == s.objectId && s.prevType == s.type) {
      long prevLen = s.u64Prev(DevExtent.OFF_LENGTH);
      if (Long.compareUnsigned(s.prevOffset + prevLen, s.offset) > 0) {
        throw s.corrupt(
            "dev extent overlap, prev offset "
                + ItemSlot.u(s.prevOffset)
                + " len "
                + ItemSlot.u(prevLen)
                + " current offset "
                + ItemSlot.u(s.offset));
      }
    }
  }
}
