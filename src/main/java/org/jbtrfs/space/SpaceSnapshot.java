package org.jbtrfs.space;

import java.io.IOException;
import java.util.List;
import org.jbtrfs.extent.BlockGroups;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.SpaceReport;
import org.jbtrfs.txn.ChunkPlanner;

/**
 * The space infos of an unmounted filesystem, as a mount would start with them: block groups'
 * totals and used bytes, nothing reserved or pinned (no transaction is running), and the global
 * reserve held in may_use.
 */
public final class SpaceSnapshot {
  private SpaceSnapshot() {}

  public static SpaceManager of(Filesystem fs) throws IOException {
    var sb = fs.superblock();
    boolean fst = (sb.compatRoFlags() & FeatureFlags.COMPAT_RO_FREE_SPACE_TREE) != 0;
    SpaceManager m =
        new SpaceManager(
            new MetadataCost(sb.nodeSize(), fs.sectorSize(), sb.checksumType().size(), fst),
            ChunkPlanner.typicalChunkSize(BlockGroupItem.TYPE_DATA, sb.totalBytes()),
            null);
    try {
      boolean bgTree = (sb.compatRoFlags() & FeatureFlags.COMPAT_RO_BLOCK_GROUP_TREE) != 0;
      // The allocator's own view, which knows the superblock copies (readonly bytes).
      BlockGroups.load(
              fs.chunks(),
              fs.treeOf(bgTree ? ObjectIds.BLOCK_GROUP_TREE : ObjectIds.EXTENT_TREE),
              fs.treeOf(ObjectIds.FREE_SPACE_TREE),
              fs.sectorSize())
          .setListener(m);
    } catch (IOException | RuntimeException noFreeSpaceTree) {
      // Without a free space tree only the block group items tell totals and used bytes.
      List<SpaceReport.Group> groups = SpaceReport.blockGroups(fs);
      for (SpaceReport.Group g : groups) m.groupAdded(g.flags(), g.length(), g.used(), 0);
    }
    long unallocated = 0;
    for (var d : fs.devItems()) unallocated += Math.max(0, d.totalBytes() - d.bytesUsed());
    m.setUnallocated(unallocated);
    m.setGlobalReserveSize(GlobalReserveSize.of(fs));
    return m;
  }
}
