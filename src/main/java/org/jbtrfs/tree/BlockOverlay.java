package org.jbtrfs.tree;

/**
 * Tree blocks changed by the running transaction but not yet written. Readers see these before
 * anything on disk, so they observe the transaction's latest state.
 */
public interface BlockOverlay {
  /** The in-memory contents of the block at {@code logical}, or null if it is not dirty. */
  byte[] dirty(long logical);
}
