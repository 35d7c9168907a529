package org.jbtrfs.tree.check;

import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.volume.RaidProfile;

/**
 * BLOCK_GROUP_ITEM: a non-empty group of fixed item size, belonging to the chunk tree, using no
 * more than its length, with at most one profile bit and a type the allocator knows (data,
 * metadata, system, or data+metadata for mixed groups).
 */
final class BlockGroupItemRules {
  private BlockGroupItemRules() {}

  static void check(ItemSlot s) throws FormatException {
    if (s.offset == 0) throw s.corrupt("invalid block group size 0");
    if (s.size != BlockGroupItem.SIZE) {
      throw s.corrupt("invalid item size, have " + s.size + " expect " + BlockGroupItem.SIZE);
    }
    long chunkObjectId = s.u64(BlockGroupItem.OFF_CHUNK_OBJECTID);
    if (chunkObjectId != ObjectIds.FIRST_CHUNK_TREE) {
      throw s.corrupt(
          "invalid block group chunk objectid, have "
              + ItemSlot.u(chunkObjectId)
              + " expect "
              + ObjectIds.FIRST_CHUNK_TREE);
    }
    long used = s.u64(BlockGroupItem.OFF_USED);
    if (Long.compareUnsigned(used, s.offset) > 0) {
      throw s.corrupt(
          "invalid block group used, have "
              + ItemSlot.u(used)
              + " expect [0, "
              + ItemSlot.u(s.offset)
              + ")");
    }
    long flags = s.u64(BlockGroupItem.OFF_FLAGS);
    long profile = flags & RaidProfile.PROFILE_MASK;
    if (Long.bitCount(profile) > 1) {
      throw s.corrupt(
          "invalid profile flags, have "
              + ItemSlot.hex(profile)
              + " ("
              + Long.bitCount(profile)
              + " bits set) expect no more than 1 bit set");
    }
    long type = flags & BlockGroupItem.TYPE_MASK;
    if (type != BlockGroupItem.TYPE_DATA
        && type != BlockGroupItem.TYPE_METADATA
        && type != BlockGroupItem.TYPE_SYSTEM
        && type != (BlockGroupItem.TYPE_DATA | BlockGroupItem.TYPE_METADATA)) {
      throw s.corrupt(
          "invalid type, have "
              + ItemSlot.hex(type)
              + " ("
              + Long.bitCount(type)
              + " bits set) expect either 0x1, 0x4, 0x2 or 0x5");
    }
  }
}
