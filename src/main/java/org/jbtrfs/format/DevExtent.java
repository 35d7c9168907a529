package org.jbtrfs.format;

/** Field offsets of a DEV_EXTENT item: which chunk a range of a device belongs to. */
public final class DevExtent {
  private DevExtent() {}

  public static final int OFF_CHUNK_TREE = 0;
  public static final int OFF_CHUNK_OBJECTID = 8;
  public static final int OFF_CHUNK_OFFSET = 16;
  public static final int OFF_LENGTH = 24;
  public static final int OFF_CHUNK_TREE_UUID = 32;
  public static final int SIZE = 48;
}
