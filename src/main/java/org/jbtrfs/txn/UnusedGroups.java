package org.jbtrfs.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.extent.BlockGroups;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.space.SpaceCounters;
import org.jbtrfs.space.SpaceInfo;

/**
 * Removes block groups that have become empty, as the kernel's cleaner does
 * (btrfs_delete_unused_bgs), so that deleting files gives their chunks' device space back. A group
 * goes only when a free emptied it or it was empty when the filesystem was opened (as the kernel
 * marks groups unused), nothing of it is in the committed state either (nothing pinned), it is not
 * being balanced, it was not made in this transaction, it is not the last group of its type and
 * profile (whose profile new chunks follow), and its space info can spare it: what is used or
 * promised there must still fit without it. System groups stay (their removal would edit the
 * superblock's system chunk array, which jbtrfs does not yet do).
 */
final class UnusedGroups {
  private UnusedGroups() {}

  /** Removes every group that may go; returns how many went. */
  static int removeAll(WriteEngine engine) throws IOException {
    BlockGroups groups = engine.groups();
    List<BlockGroup> candidates = new ArrayList<>();
    for (BlockGroup bg : groups.all()) {
      if (bg.used() != 0 || !bg.becameUnused() || bg.isSystem() || bg.readOnly()) continue;
      if (bg.createdIn() == engine.transid() || groups.hasPinned(bg)) continue;
      candidates.add(bg);
    }
    int removed = 0;
    for (BlockGroup bg : candidates) {
      if (!othersOfSameKind(groups, bg) || !spareable(engine, bg)) continue;
      engine.removeEmptyBlockGroup(bg);
      removed++;
    }
    return removed;
  }

  private static boolean othersOfSameKind(BlockGroups groups, BlockGroup bg) {
    for (BlockGroup g : groups.all()) if (g != bg && g.flags() == bg.flags()) return true;
    return false;
  }

  private static boolean spareable(WriteEngine engine, BlockGroup bg) {
    SpaceInfo info =
        engine.space().info(bg.isData() ? BlockGroupItem.TYPE_DATA : BlockGroupItem.TYPE_METADATA);
    if (info == null) return false;
    SpaceCounters c = info.counters();
    return c.total() - bg.length() >= c.allUsed();
  }
}
