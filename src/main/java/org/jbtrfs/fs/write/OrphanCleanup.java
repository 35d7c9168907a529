package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.logging.Logger;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.space.SpaceManager;
import org.jbtrfs.tree.Cursor;

/** Removes inodes a crash left while they were still open (ORPHAN items), as mount does. */
final class OrphanCleanup {
  private static final Logger LOG = Logger.getLogger(OrphanCleanup.class.getName());

  private OrphanCleanup() {}

  static int run(MountedWriter mw, long subvolumeId) throws IOException {
    int n = 0;
    while (true) {
      // Each removal may use the global reserve: a full filesystem must still mount.
      try (SpaceManager.Reservation r = mw.reserveChange(MountedWriter.ORPHAN_ITEMS, true)) {
        if (!cleanOne(mw.ops(subvolumeId))) break;
      }
      n++;
    }
    if (n > 0) LOG.info("removed " + n + " orphan inode(s) from subvolume " + subvolumeId);
    return n;
  }

  private static boolean cleanOne(FsOps o) throws IOException {
    Cursor c =
        o.fileTree().tree().readView().seekCeil(new Key(ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, 0));
    if (!c.valid() || c.objectId() != ObjectIds.ORPHAN || c.type() != ItemType.ORPHAN_ITEM)
      return false;
    long ino = c.offset();
    o.fileTree().tree().delete(c.key());
    o.deleteOrphan(ino);
    return true;
  }
}
