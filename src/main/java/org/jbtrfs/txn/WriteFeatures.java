package org.jbtrfs.txn;

import java.io.IOException;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.Filesystem;

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
    if (fs.devices().all().size() != fs.devItems().size())
      refuse(
          "writing to a degraded filesystem is not supported (a RAID5/6 row written without one of"
              + " its devices could not keep its parity)");
    // Snapshots need no refusal: copy-on-write moves the references of blocks shared between a
    // subvolume and its snapshots (tree.BlockCow), and the delayed ref runner handles shared and
    // keyed back references of every kind. Creating and deleting snapshots is the kernel's job
    // (jbtrfs has no command for either).
  }

  private static void refuse(String why) throws UnsupportedFeatureException {
    throw new UnsupportedFeatureException(why);
  }
}
