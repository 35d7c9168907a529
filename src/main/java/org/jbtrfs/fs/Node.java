package org.jbtrfs.fs;

import java.io.IOException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ObjectIds;

/**
 * An inode as the user sees it: which file tree it lives in and its number there. The empty
 * placeholder a snapshot shows for a nested subvolume (inode 2) also remembers the directory it
 * appears in, whose owner and atime it borrows.
 */
public record Node(Subvolume subvolume, long ino, long placeholderParent) {
  public Node(Subvolume subvolume, long ino) {
    this(subvolume, ino, 0);
  }

  public boolean isPlaceholder() {
    return ino == ObjectIds.EMPTY_SUBVOL_DIR;
  }

  /** True for the top directory of a subvolume (what snapshot and delete take). */
  public boolean isSubvolumeTop() {
    return !isPlaceholder() && ino == subvolume.rootDirIno();
  }

  /** The inode item, or null when the inode does not exist. */
  public InodeItem inode() throws IOException {
    if (isPlaceholder()) {
      InodeItem parent = subvolume.inode(placeholderParent);
      return parent == null ? null : EmptySubvolDir.inode(parent, subvolume.fs().openedAt());
    }
    return subvolume.inode(ino);
  }

  @Override
  public String toString() {
    return subvolume.id() + ":" + ino;
  }
}
