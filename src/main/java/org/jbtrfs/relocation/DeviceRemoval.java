package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.txn.WriteEngine;
import org.jbtrfs.volume.RaidProfile;

/**
 * `device remove`, as the kernel's btrfs_rm_device: refused when the devices left could not hold
 * the profiles in use; otherwise new chunks are kept off the device, every block group with a
 * stripe on it is relocated (a balance with its devid), its dev item goes in a commit that lowers
 * the superblock's device count and size, and its superblocks are wiped so nothing takes it for a
 * member again. A device that is missing ("missing") is removed the same way, its chunks rebuilt
 * from the copies or parity the other devices hold.
 */
public final class DeviceRemoval {
  private static final Logger LOG = Logger.getLogger(DeviceRemoval.class.getName());

  private DeviceRemoval() {}

  /** Removes devid {@code devid}; the caller closes the returned device (null: was missing). */
  public static Device remove(Balance.Transactions tx, long devid, Balance.Progress progress)
      throws IOException {
    tx.committed(
        e -> {
          check(e, devid);
          e.excludeFromAllocation(devid, true);
          return null;
        });
    try {
      Balance.moveOff(
          tx,
          BalanceFilters.parse("devid=" + Long.toUnsignedString(devid)),
          progress,
          "on devid " + devid);
    } catch (IOException | RuntimeException failed) {
      tx.committed(
          e -> {
            e.excludeFromAllocation(devid, false);
            return null;
          });
      throw failed;
    }
    Device gone = tx.committed(e -> e.removeDevice(devid));
    if (gone != null) wipeSuperblocks(gone);
    LOG.info("removed devid " + devid);
    return gone;
  }

  /** The kernel's btrfs_check_raid_min_devices, and that a device stays. */
  private static void check(WriteEngine e, long devid) throws IOException {
    boolean member = false;
    for (DevItem d : e.fs().devItems()) member |= d.devid() == devid;
    if (!member) throw new IllegalArgumentException("no device with devid " + devid);
    int left = e.fs().devItems().size() - 1;
    if (left < 1) throw new IllegalArgumentException("unable to remove the only device");
    for (BlockGroup bg : e.groups().all()) {
      RaidProfile p = RaidProfile.fromFlags(bg.flags());
      if (left < p.devsMin()) {
        throw new IllegalArgumentException(
            "unable to go below " + p.devsMin() + " devices on " + p.displayName());
      }
    }
  }

  /** Zeroes the magic of every superblock copy, as the kernel scratches a removed device's. */
  private static void wipeSuperblocks(Device d) throws IOException {
    byte[] zero = new byte[8];
    for (long off : Superblock.MIRROR_OFFSETS) {
      if (off + Superblock.SIZE > d.size()) break;
      d.write(off + Superblock.OFF_MAGIC, zero, 0, zero.length);
    }
    d.flush();
  }
}
