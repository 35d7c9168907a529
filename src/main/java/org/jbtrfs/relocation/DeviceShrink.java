package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.logging.Logger;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.DevExtentCheck;
import org.jbtrfs.volume.Stripe;

/**
 * `filesystem resize` to a smaller size, as the kernel's btrfs_shrink_device: new chunks stay below
 * the new end while every block group with a stripe reaching past it is relocated (a balance with
 * the devid and that device range), then the dev item's size goes down in a commit with the
 * superblock's. Refused with ENOSPC-like failure when the rest cannot take what lies beyond;
 * everything moved by then stays moved, and the device keeps its size.
 */
public final class DeviceShrink {
  private static final Logger LOG = Logger.getLogger(DeviceShrink.class.getName());

  private static final int MAX_PASSES = 8;

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
      String id = Long.toUnsignedString(devid);
      BalanceFilters beyond =
          BalanceFilters.parse("devid=" + id + ",drange=" + Long.toUnsignedString(newSize) + "..");
      for (int pass = 0; ; pass++) {
        boolean left = tx.committed(e -> anyBeyond(e, devid, newSize));
        if (!left) break;
        if (pass == MAX_PASSES) {
          throw new IOException("chunks past " + newSize + " on devid " + devid + " stay there");
        }
        Balance.unrecorded(tx, new Balance.Request(beyond, beyond, beyond, true), progress);
      }
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

  private static boolean anyBeyond(org.jbtrfs.txn.WriteEngine e, long devid, long end)
      throws IOException {
    for (BlockGroup bg : e.groups().all()) {
      ChunkMapping c = e.fs().chunks().lookup(bg.start());
      long stripeLength = DevExtentCheck.stripeLength(c);
      for (Stripe s : c.stripes()) {
        if (s.devid() == devid && s.offset() + stripeLength > end) return true;
      }
    }
    return false;
  }
}
