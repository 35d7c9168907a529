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

  /** Relocation passes before giving up (a group moved onto a group still on the device). */
  private static final int MAX_PASSES = 8;

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
      BalanceFilters onDevice = BalanceFilters.parse("devid=" + Long.toUnsignedString(devid));
      for (int pass = 0; ; pass++) {
        Balance.Result r =
            Balance.unrecorded(
                tx, new Balance.Request(onDevice, onDevice, onDevice, true), progress);
        boolean left = tx.committed(e -> anyGroupOn(e, devid));
        if (!left) break;
        if (pass + 1 == MAX_PASSES || r.relocated() == 0) {
          throw new IOException("block groups on devid " + devid + " could not all be moved off");
        }
      }
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

  private static boolean anyGroupOn(WriteEngine e, long devid) throws IOException {
    for (BlockGroup bg : e.groups().all()) {
      for (var s : e.fs().chunks().lookup(bg.start()).stripes())
        if (s.devid() == devid) return true;
    }
    return false;
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
