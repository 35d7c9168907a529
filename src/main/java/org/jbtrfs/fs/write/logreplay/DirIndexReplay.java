package org.jbtrfs.fs.write.logreplay;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.UnsupportedFeatureException;

/**
 * The second replay stage (the kernel's LOG_WALK_REPLAY_DIR_INDEX): each logged dir index entry is
 * made to exist in its directory, replacing a conflicting entry of the same name or index. Names
 * whose back reference is also in the log are left to the inode ref stage, and names of inodes that
 * exist neither in the subvolume nor in the log are skipped (a directory fsync does not log the
 * files in it).
 */
final class DirIndexReplay {
  private final ReplayTarget t;

  DirIndexReplay(ReplayTarget t) {
    this.t = t;
  }

  void replay(Key key, byte[] logged) throws IOException {
    long dir = key.objectId();
    long index = key.offset();
    List<DirItem> all = DirItem.parseAll(logged, 0, logged.length);
    if (all.size() != 1)
      throw new FormatException("logged dir index " + key + " holds " + all.size() + " names");
    DirItem di = all.get(0);
    if (di.location().type() != ItemType.INODE_ITEM) {
      throw new UnsupportedFeatureException(
          "the log adds a subvolume link to directory " + dir + "; replaying it is not supported");
    }
    t.requireInode(dir, "directory of a logged entry");
    long target = di.location().objectId();
    boolean exists = t.inodeExists(target);

    boolean nameMatches = false;
    DirItem byName = t.dirItem(dir, di.name());
    if (byName != null) {
      nameMatches = sameTarget(byName, di);
      if (!nameMatches && exists) t.unlink(dir, di.name());
    }
    boolean indexMatches = false;
    DirItem byIndex = t.dirIndex(dir, index);
    if (byIndex != null && Arrays.equals(byIndex.name(), di.name())) {
      indexMatches = sameTarget(byIndex, di);
      if (!indexMatches && exists && t.dirItem(dir, di.name()) != null) t.unlink(dir, di.name());
    }
    if (nameMatches && indexMatches) return;
    if (t.log.refHasName(target, dir, di.name()) || t.log.extrefHasName(target, dir, di.name()))
      return; // the inode ref stage adds this name with its back reference
    if (!exists) return;
    // The kernel's add fails without change when the name or its back reference is already
    // there; an index taken by another name would make it abort the transaction.
    if (t.dirItem(dir, di.name()) != null) return;
    if (t.hasRef(false, target, dir, di.name()) || t.hasRef(true, target, dir, di.name())) return;
    if (t.tree().get(key) != null) {
      throw new UnsupportedFeatureException(
          "the log puts a name at index "
              + index
              + " of directory "
              + dir
              + ", which holds"
              + " another name");
    }
    t.entries.addAt(dir, di.name(), target, di.type(), index, true, false);
    if (di.type() != FileType.DIR) t.fixup.add(target);
  }

  private static boolean sameTarget(DirItem subvol, DirItem logged) {
    return subvol.location().equals(logged.location()) && subvol.type() == logged.type();
  }
}
