package org.jbtrfs.fs;

import java.io.IOException;
import java.util.logging.Logger;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.DeviceErrors;

/**
 * Loads the devices' error counters from the device tree's DEV_STATS items at open, as the kernel
 * does at mount (a device without an item starts at zero).
 */
final class PersistedDeviceErrors {
  private static final Logger LOG = Logger.getLogger(PersistedDeviceErrors.class.getName());

  private PersistedDeviceErrors() {}

  /**
   * A device tree that cannot be read fails a read-write open (its counters would be written over
   * unknown ones, and its blocks are copied on every commit); a read-only one starts at zero.
   */
  static void load(Filesystem fs) throws IOException {
    DeviceErrors errors = fs.devices().errors();
    try {
      Tree devTree = fs.treeOf(ObjectIds.DEV_TREE);
      if (devTree == null) return;
      for (DevItem d : fs.devItems()) {
        Cursor c = devTree.find(DevStatsItem.key(d.devid()));
        if (c == null || !c.valid()) continue;
        DevStatsItem item = DevStatsItem.parse(c.raw(), c.dataOffset(), c.dataSize());
        errors.load(d.devid(), item.values());
        if (!item.equals(DevStatsItem.zero())) {
          String name = fs.devices().deviceName(d.devid());
          LOG.info(DeviceErrors.line(name != null ? name : "devid " + d.devid(), item.values()));
        }
      }
    } catch (IOException e) {
      if (!fs.options().readOnly()) {
        throw new IOException("cannot read the device error counters: " + e.getMessage(), e);
      }
      LOG.warning("device error counters unreadable, counting from zero: " + e.getMessage());
    }
  }
}
