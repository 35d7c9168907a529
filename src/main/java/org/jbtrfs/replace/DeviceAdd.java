package org.jbtrfs.replace;

import java.io.IOException;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.RandomUuid;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.txn.WriteEngine;

/**
 * `device add`, as btrfs-progs and the kernel do it together: the new device is checked (not
 * holding a filesystem unless forced, more than the 1 MiB the kernel never allocates), trimmed, and
 * made a member with the next devid and a dev item like the kernel's (its sectorsize for the io
 * fields, generation 0, a fresh uuid, the filesystem's metadata uuid). The caller commits; nothing
 * is written to the filesystem before every check passed.
 */
public final class DeviceAdd {
  private static final Logger LOG = Logger.getLogger(DeviceAdd.class.getName());

  /** The kernel refuses (EINVAL) a device no larger than the first MiB it keeps free. */
  static final long RESERVED = 1 << 20;

  private DeviceAdd() {}

  /** A device refused before anything was written; the kernel's errno for it. */
  public static final class Refused extends IllegalArgumentException {
    public final boolean tooSmall;

    Refused(String message, boolean tooSmall) {
      super(message);
      this.tooSmall = tooSmall;
    }
  }

  /** Refuses {@code dev} with the reason, or returns when it may be added to {@code fs}. */
  public static void check(Filesystem fs, Device dev, boolean force) throws IOException {
    long size = Align.down(dev.size(), fs.sectorSize());
    if (size <= RESERVED) {
      throw new Refused(
          dev.name() + " is too small to add: " + size + " bytes, more than 1 MiB needed", true);
    }
    if (!force && DeviceReplace.holdsBtrfs(dev)) {
      throw new Refused(
          dev.name() + " appears to contain an existing filesystem (btrfs); use -f to overwrite it",
          false);
    }
  }

  /**
   * Adds {@code dev}, which passed {@link #check}, in the running transaction of {@code engine};
   * returns its dev item.
   */
  public static DevItem add(WriteEngine engine, Device dev) throws IOException {
    Filesystem fs = engine.fs();
    int sector = fs.sectorSize();
    long size = Align.down(dev.size(), sector);
    // The filesystem's dev items include missing devices' (and devices added before this one).
    long devid = 1;
    for (DevItem d : fs.devItems()) devid = Math.max(devid, d.devid() + 1);
    if (!dev.discard(0, dev.size())) {
      // No trim: at least the old superblock and any other signature in the first MiB go.
      byte[] zero = new byte[(int) RESERVED];
      dev.write(0, zero, 0, zero.length);
    }
    DevItem item =
        new DevItem(
            devid,
            size,
            0,
            sector,
            sector,
            sector,
            0,
            0,
            0,
            0,
            0,
            0,
            RandomUuid.bytes(),
            fs.superblock().metadataUuid());
    engine.addDevice(dev, item);
    LOG.info("device " + dev.name() + " added as devid " + devid + " (" + size + " bytes)");
    return item;
  }
}
