package org.jbtrfs.format;

/** Field offsets of a FREE_SPACE_INFO item: a block group's free extent count and flags. */
public final class FreeSpaceInfo {
  private FreeSpaceInfo() {}

  public static final int OFF_EXTENT_COUNT = 0;
  public static final int OFF_FLAGS = 4;
  public static final int SIZE = 8;

  /** The block group's free space is kept as bitmaps rather than extents. */
  public static final long FLAG_USING_BITMAPS = 1;
}
