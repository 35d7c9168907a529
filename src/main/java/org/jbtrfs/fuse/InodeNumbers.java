package org.jbtrfs.fuse;

import org.jbtrfs.fs.Node;

/**
 * st_ino as shown through FUSE. The kernel gives every subvolume its own st_dev, so inode numbers
 * repeat across subvolumes; one FUSE mount has a single st_dev, so inodes outside the mounted
 * subvolume carry the subvolume id in their high bits. Without that, `find` reports loops and
 * `tar`/`cp -a` mistake files of different snapshots for hard links.
 */
final class InodeNumbers {
  /** Bits kept for the per-subvolume inode number (a trillion inodes per subvolume). */
  static final int SUBVOL_SHIFT = 40;

  private InodeNumbers() {}

  static long of(Node n, long mountedSubvolumeId) {
    long sv = n.subvolume().id();
    // The kernel gives the placeholder a device of its own too, so it is never in the mounted one.
    boolean local = sv == mountedSubvolumeId && !n.isPlaceholder();
    return local ? n.ino() : (sv << SUBVOL_SHIFT) | n.ino();
  }
}
