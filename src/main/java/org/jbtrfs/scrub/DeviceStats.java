package org.jbtrfs.scrub;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;

/**
 * The per-device error counters in the device tree, where the kernel loads them at mount and writes
 * them back at commit: read them, add to them, reset them. Changes go through the transaction
 * engine, so the result is an ordinary commit.
 */
public final class DeviceStats {
  private DeviceStats() {}

  /** Every device's counters by devid; a device without an item has all zeros, as in the kernel. */
  public static Map<Long, DevStatsItem> read(Filesystem fs) throws IOException {
    Map<Long, DevStatsItem> out = new TreeMap<>();
    for (DevItem d : fs.devItems()) out.put(d.devid(), DevStatsItem.zero());
    Tree devTree = fs.treeOf(ObjectIds.DEV_TREE);
    if (devTree == null) return out;
    for (long devid : out.keySet()) {
      Cursor c = devTree.find(DevStatsItem.key(devid));
      if (c != null && c.valid()) {
        out.put(devid, DevStatsItem.parse(c.raw(), c.dataOffset(), c.dataSize()));
      }
    }
    return out;
  }

  /** Adds {@code increments} (devid to counters in DEV_STATS order) in the running transaction. */
  public static void add(WriteEngine engine, Map<Long, long[]> increments) throws IOException {
    WritableTree devTree = engine.tree(ObjectIds.DEV_TREE);
    for (Map.Entry<Long, long[]> e : increments.entrySet()) {
      byte[] old = devTree.get(DevStatsItem.key(e.getKey()));
      DevStatsItem now = old == null ? DevStatsItem.zero() : DevStatsItem.parse(old, 0, old.length);
      devTree.put(DevStatsItem.key(e.getKey()), now.plus(e.getValue()).encode());
    }
  }

  /** Sets every device's counters to zero in the running transaction (`device stats -z`). */
  public static void reset(WriteEngine engine, Iterable<Long> devids) throws IOException {
    WritableTree devTree = engine.tree(ObjectIds.DEV_TREE);
    for (long devid : devids) devTree.put(DevStatsItem.key(devid), DevStatsItem.zero().encode());
  }
}
