package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.logging.Logger;

/**
 * `filesystem resize` to a smaller size, as the kernel's btrfs_shrink_device: new chunks stay below
 * the new end while every block group with a stripe reaching past it is relocated (a balance with
 * the devid and that device range), then the dev item's size goes down in a commit with the
 * superblock's. Refused with ENOSPC-like failure when the rest cannot take what lies beyond;
 * everything moved by then stays moved, and the device keeps its size.
 */
public final class DeviceShrink {
  private static final Logger LOG = Logger.getLogger(DeviceShrink.class.getName());

  private DeviceShrink() {}

  public static void shrink(
      Balance.Transactions tx, long devid, long newSize, Balance.Progress progress)
      throws IOException {
    tx.committed(
        e -> {
          e.limitDevice(devid, newSize);
          return null;
        });
    try {
      String range = Long.toUnsignedString(newSize) + "..";
      Balance.moveOff(
          tx,
          BalanceFilters.parse("devid=" + Long.toUnsignedString(devid) + ",drange=" + range),
          progress,
          "past " + newSize + " on devid " + devid);
      tx.committed(
          e -> {
            e.shrinkDevice(devid, newSize);
            return null;
          });
    } catch (IOException | RuntimeException failed) {
      tx.committed(
          e -> {
            e.limitDevice(devid, Long.MAX_VALUE);
            return null;
          });
      throw failed;
    }
    LOG.info("shrank devid " + devid + " to " + newSize + " bytes");
  }
}
