package org.jbtrfs.txn;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.extent.FreeSpaceTree;
import org.jbtrfs.format.DevExtentItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Stripe;

/**
 * Removes an empty block group together with its chunk, in the running transaction, as the kernel's
 * btrfs_remove_chunk does: the device extents (and the devices' bytes used), the chunk item, the
 * block group item and its free space entries. The group must hold nothing in the committed state
 * either (nothing pinned), so the device space it leaves can be reused at once: no committed block
 * lives there.
 */
final class ChunkRemoval {
  private static final Logger LOG = Logger.getLogger(ChunkRemoval.class.getName());

  private ChunkRemoval() {}

  static void remove(WriteEngine engine, BlockGroup bg) throws IOException {
    ChunkMapping chunk = engine.fs().chunks().lookup(bg.start());
    if (chunk.logical() != bg.start() || chunk.length() != bg.length()) {
      throw new FormatException("block group " + bg.start() + " does not match its chunk");
    }
    // First, so that none of the tree changes below allocates a block in it.
    engine.groups().remove(bg);

    WritableTree devTree = engine.tree(ObjectIds.DEV_TREE);
    Map<Long, Long> freedPerDevice = new TreeMap<>();
    for (Stripe s : chunk.stripes()) {
      Key key = new Key(s.devid(), ItemType.DEV_EXTENT, s.offset());
      byte[] raw = devTree.get(key);
      DevExtentItem extent = raw == null ? null : DevExtentItem.parse(raw, 0, raw.length);
      if (extent == null || extent.chunkOffset() != bg.start()) {
        throw new FormatException(
            "chunk " + bg.start() + " has no device extent at " + s.devid() + ":" + s.offset());
      }
      long length = extent.length();
      devTree.delete(key);
      engine.chunkAllocator().forgetDevExtent(s.devid(), s.offset());
      freedPerDevice.merge(s.devid(), length, Long::sum);
    }
    WritableTree chunkTree = engine.tree(ObjectIds.CHUNK_TREE);
    for (Map.Entry<Long, Long> e : freedPerDevice.entrySet()) {
      Key key = new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, e.getKey());
      byte[] item = chunkTree.get(key);
      if (item == null) throw new FormatException("no dev item for devid " + e.getKey());
      long used = Le.u64(item, DevItem.OFF_BYTES_USED) - e.getValue();
      if (used < 0) throw new FormatException("devid " + e.getKey() + " bytes used below zero");
      Le.put64(item, DevItem.OFF_BYTES_USED, used);
      chunkTree.put(key, item);
    }
    if (!chunkTree.delete(new Key(ObjectIds.FIRST_CHUNK_TREE, ItemType.CHUNK_ITEM, bg.start()))) {
      throw new FormatException("no chunk item for " + bg.start());
    }
    Key bgKey = new Key(bg.start(), ItemType.BLOCK_GROUP_ITEM, bg.length());
    if (!engine.blockGroupItems().delete(bgKey)) {
      throw new FormatException("no block group item for " + bg.start());
    }
    FreeSpaceTree.removeGroup(engine.tree(ObjectIds.FREE_SPACE_TREE), bg);
    if (bg.isSystem()) {
      // Also listed in the superblock's array, from which a mount reads the chunk tree.
      engine.setSysChunkArray(SysChunkArray.without(engine.sysChunkArray(), bg.start()));
    }
    engine.chunkRemoved(chunk);
    LOG.info(
        "removed "
            + chunk.profile().displayName()
            + " chunk at "
            + bg.start()
            + " ("
            + bg.length()
            + " bytes)");
  }
}
