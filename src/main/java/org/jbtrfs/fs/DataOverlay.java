package org.jbtrfs.fs;

/**
 * Data extents written in memory but not on the devices yet. Reads copy them in place of what the
 * devices hold there (which may still be stale), so writing data back needs no lock that readers
 * wait for.
 */
public interface DataOverlay {
  /** Whether any of [logical, logical+len) is still in memory only. */
  boolean overlaps(long logical, int len);

  /**
   * Copies whatever of [logical, logical+len) is still in memory into {@code out} at {@code off};
   * returns one flag per sector of the range saying whether it was copied, or null when no sector
   * of the range is in memory.
   */
  boolean[] copy(long logical, byte[] out, int off, int len, int sectorSize);
}
