package org.jbtrfs.fs;

import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;

/**
 * The read-only empty directory (inode 2) the kernel shows where a snapshot captured the entry of a
 * nested subvolume; it has no inode item on disk.
 */
final class EmptySubvolDir {
  private EmptySubvolDir() {}

  /** Like the kernel's new_simple_dir: mode 0755, owner and atime of the containing directory. */
  static InodeItem inode(InodeItem parent, Timespec now) {
    return new InodeItem(
        0,
        0,
        0,
        0,
        0,
        1,
        parent.uid(),
        parent.gid(),
        FileType.S_IFDIR | 0755,
        0,
        0,
        0,
        parent.atime(),
        now,
        now,
        now);
  }
}
