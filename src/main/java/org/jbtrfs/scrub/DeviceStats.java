package org.jbtrfs.scrub;

import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.volume.DeviceErrors;

/**
 * The per-device error counters of an opened filesystem (see {@link DeviceErrors}: loaded from the
 * device tree at open, written back by the next commit after a change): read them, add to them,
 * reset them.
 */
public final class DeviceStats {
  private DeviceStats() {}

  /** Every device's counters by devid; a device without an item has all zeros, as in the kernel. */
  public static Map<Long, DevStatsItem> read(Filesystem fs) {
    DeviceErrors errors = fs.devices().errors();
    Map<Long, DevStatsItem> out = new TreeMap<>();
    for (DevItem d : fs.devItems()) out.put(d.devid(), new DevStatsItem(errors.get(d.devid())));
    return out;
  }

  /**
   * Adds {@code increments} (devid to counters in DEV_STATS order); the next commit writes them.
   */
  public static void add(Filesystem fs, Map<Long, long[]> increments) {
    DeviceErrors errors = fs.devices().errors();
    for (Map.Entry<Long, long[]> e : increments.entrySet()) {
      for (int k = 0; k < DevStatsItem.COUNT; k++) errors.add(e.getKey(), k, e.getValue()[k]);
    }
  }

  /** Sets every device's counters to zero (`device stats -z`); the next commit writes them. */
  public static void reset(Filesystem fs, Iterable<Long> devids) {
    for (long devid : devids) fs.devices().errors().getAndReset(devid);
  }
}
