package org.jbtrfs.extent;

/**
 * Told of every change the extent allocator makes, so per-type space accounting (space infos) stays
 * current without rescanning block groups. {@code flags} are the block group's flags.
 */
public interface SpaceListener {
  /**
   * A block group: {@code unusable} bytes of it hold superblock copies, never allocatable (the
   * kernel counts them as readonly).
   */
  void groupAdded(long flags, long length, long used, long unusable);

  /** An empty block group whose chunk is removed; {@code unusable} as it was added. */
  void groupRemoved(long flags, long length, long unusable);

  void allocated(long flags, long len);

  void freedUncommitted(long flags, long len);

  void pinned(long flags, long len);
}
