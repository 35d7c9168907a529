package org.jbtrfs.fuse;

import org.jbtrfs.fs.Node;

/**
 * FUSE node ids that name their inode by themselves. The kernel builds file handles (and so NFS
 * handles) from a node id and the generation it was given with it; to open a handle whose inode it
 * no longer caches, even after a remount, it sends LOOKUP "." with that id and wants the same id
 * back. An id we can read without having kept anything makes that work. Id 1 is the mount's root,
 * as FUSE fixes. Any other inode is its subvolume id above bit 40 and its inode number below,
 * whichever subvolume is mounted, so a handle stays good under another subvol= option. The
 * placeholder a snapshot shows for a nested subvolume has no inode of its own: it is bit 63 with
 * the subvolume and the directory it appears in (every placeholder of a directory is one node).
 */
final class NodeIds {
  static final int SUBVOL_SHIFT = 40;
  private static final long INO_MASK = (1L << SUBVOL_SHIFT) - 1;
  private static final long PLACEHOLDER = 1L << 63;

  /** The largest subvolume id that fits between the inode bits and the placeholder bit. */
  static final long MAX_SUBVOLUME = (1L << (63 - SUBVOL_SHIFT)) - 1;

  private NodeIds() {}

  /** What a node id names; for a placeholder, {@code ino} is the directory it appears in. */
  record Decoded(long subvolume, long ino, boolean placeholder) {}

  /** The id of a node other than the mount's root. */
  static long of(Node n) {
    long sv = n.subvolume().id();
    long ino = n.isPlaceholder() ? n.placeholderParent() : n.ino();
    if (sv <= 0 || sv > MAX_SUBVOLUME || ino <= 0 || ino > INO_MASK) {
      // A collision would hand the kernel one inode's cache for another's: refuse the node (EIO).
      throw new IllegalStateException("node " + n + " does not fit in a FUSE node id");
    }
    long id = (sv << SUBVOL_SHIFT) | ino;
    return n.isPlaceholder() ? id | PLACEHOLDER : id;
  }

  /** The parts of {@code id}, or null when no node has an id of that shape (or it is the root). */
  static Decoded decode(long id) {
    if (id == FuseProtocol.ROOT_ID) return null;
    long sv = (id & ~PLACEHOLDER) >>> SUBVOL_SHIFT;
    long ino = id & INO_MASK;
    if (sv == 0 || ino == 0) return null;
    return new Decoded(sv, ino, (id & PLACEHOLDER) != 0);
  }
}
