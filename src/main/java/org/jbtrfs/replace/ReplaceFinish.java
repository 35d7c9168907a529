package org.jbtrfs.replace;

import java.io.IOException;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.DevReplaceItem;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.txn.WriteEngine;

/**
 * The end of a device replace, as the kernel ends one: the target takes the source's place (same
 * devid and dev item, so the same uuid), the DEV_REPLACE item records the replace as finished, and
 * after the commit (which writes the superblocks onto the target) the source's superblocks lose
 * their magic, so it is no longer taken for a member.
 */
public final class ReplaceFinish {
  private static final Logger LOG = Logger.getLogger(ReplaceFinish.class.getName());

  private ReplaceFinish() {}

  /**
   * Swaps the target in and records the replace in the running transaction; the caller commits and
   * then calls {@link #retire} with the result.
   */
  public static Device swapAndRecord(
      WriteEngine engine, DeviceReplace r, boolean spareSource, long startedSeconds)
      throws IOException {
    Device old = r.swapIn();
    long[] p = r.progress();
    engine
        .tree(ObjectIds.DEV_TREE)
        .put(
            DevReplaceItem.key(),
            new DevReplaceItem(
                    r.source(),
                    p[0],
                    p[0],
                    spareSource ? 1 : 0,
                    DevReplaceItem.FINISHED,
                    startedSeconds,
                    System.currentTimeMillis() / 1000,
                    0,
                    r.readErrors())
                .encode());
    return old;
  }

  /** The replaced device, once the commit is on disk: its superblocks wiped, then let go. */
  public static void retire(Device old) {
    if (old == null) return;
    try {
      byte[] zero = new byte[8];
      for (long off : Superblock.MIRROR_OFFSETS) {
        if (off + Superblock.SIZE > old.size()) break;
        old.write(off + Superblock.OFF_MAGIC, zero, 0, zero.length);
      }
      old.flush();
    } catch (IOException e) {
      LOG.warning("could not wipe the superblocks of the replaced " + old.name() + ": " + e);
    }
    try {
      old.close();
    } catch (IOException e) {
      LOG.warning("closing the replaced " + old.name() + ": " + e);
    }
  }
}
