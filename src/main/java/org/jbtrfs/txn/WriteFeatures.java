package org.jbtrfs.txn;

import java.io.IOException;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Stripe;

/** Refuses, by name, every feature the write path does not handle yet, before anything changes. */
final class WriteFeatures {
  private WriteFeatures() {}

  static void check(Filesystem fs, boolean replayingLog) throws IOException {
    Superblock sb = fs.superblock();
    long incompat = sb.incompatFlags();
    if ((incompat & FeatureFlags.INCOMPAT_SKINNY_METADATA) == 0) {
      refuse("writing needs skinny-metadata extent items (this image uses the old format)");
    }
    if ((incompat & FeatureFlags.INCOMPAT_MIXED_GROUPS) != 0)
      refuse("writing to mixed block groups is not supported");
    long ro = sb.compatRoFlags();
    if ((ro & FeatureFlags.COMPAT_RO_FREE_SPACE_TREE) == 0
        || (ro & FeatureFlags.COMPAT_RO_FREE_SPACE_TREE_VALID) == 0) {
      refuse(
          "writing needs the free space tree (space_cache=v2); mount once with the kernel using "
              + "-o space_cache=v2 to convert");
    }
    if (sb.logRootBytenr() != 0 && !replayingLog)
      refuse("the filesystem has a log tree that must be replayed first");
    if (fs.rootItem(ObjectIds.QUOTA_TREE) != null)
      refuse("writing with quotas enabled is not supported");
    checkRwDegradable(fs);
    // Snapshots need no refusal: copy-on-write moves the references of blocks shared between a
    // subvolume and its snapshots (tree.BlockCow), and the delayed ref runner handles shared and
    // keyed back references of every kind. Creating and deleting snapshots is the kernel's job
    // (jbtrfs has no command for either).
  }

  /**
   * The kernel's rule for a read-write mount with devices missing: every chunk must have at most as
   * many stripes on missing devices as its profile tolerates (none for SINGLE, DUP and RAID0), or a
   * write there would lose its only copy.
   */
  private static void checkRwDegradable(Filesystem fs) throws FormatException {
    if (fs.devices().all().size() == fs.devItems().size()) return;
    for (ChunkMapping c : fs.chunks().all()) {
      int missing = 0;
      for (Stripe s : c.stripes()) if (!fs.devices().present(s.devid())) missing++;
      if (missing > c.profile().toleratedFailures()) {
        throw new FormatException(
            "writable mount is not allowed due to too many missing devices: "
                + c.profile().displayName()
                + " chunk at "
                + c.logical()
                + " has "
                + missing
                + " of its stripes on missing devices (it tolerates "
                + c.profile().toleratedFailures()
                + "); mount read-only with -o ro,degraded");
      }
    }
  }

  private static void refuse(String why) throws UnsupportedFeatureException {
    throw new UnsupportedFeatureException(why);
  }
}
