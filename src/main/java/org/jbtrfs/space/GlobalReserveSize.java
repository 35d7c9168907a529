package org.jbtrfs.space;

import java.io.IOException;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.fs.Filesystem;

/**
 * The global reserve's size, as the kernel's btrfs_update_global_block_rsv computes it: the bytes
 * of the global trees every change touches (extent, checksum, free space, block group), but at
 * least enough for one insertion into each of them plus an unlink and its delayed refs, and never
 * more than 512 MiB. It is recomputed after every commit from the committed root items.
 */
public final class GlobalReserveSize {
  private static final long MAX = 512L << 20;

  /** Items an unlink touches: what a full filesystem must still be able to do. */
  public static final int UNLINK_METADATA_UNITS = 6;

  private GlobalReserveSize() {}

  public static long of(Filesystem fs) throws IOException {
    long used = 0;
    int items = 1;
    for (long id :
        new long[] {
          ObjectIds.EXTENT_TREE,
          ObjectIds.CSUM_TREE,
          ObjectIds.FREE_SPACE_TREE,
          ObjectIds.BLOCK_GROUP_TREE
        }) {
      RootItem ri = fs.rootItem(id);
      if (ri == null) continue;
      used += ri.bytesUsed();
      items++;
    }
    boolean freeSpaceTree =
        (fs.superblock().compatRoFlags() & FeatureFlags.COMPAT_RO_FREE_SPACE_TREE) != 0;
    MetadataCost cost =
        new MetadataCost(fs.superblock().nodeSize(), fs.sectorSize(), 4, freeSpaceTree);
    long minimum =
        cost.insert(items + UNLINK_METADATA_UNITS) + cost.delayedRefs(UNLINK_METADATA_UNITS);
    return Math.min(Math.max(used, minimum), MAX);
  }
}
