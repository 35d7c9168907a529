package org.jbtrfs.format;

/** BLOCK_GROUP_ITEM: bytes used in a block group and its type/profile flags. */
public record BlockGroupItem(long used, long chunkObjectId, long flags) {
  public static final int SIZE = 24;
  public static final long TYPE_DATA = 1;
  public static final long TYPE_SYSTEM = 2;
  public static final long TYPE_METADATA = 4;

  public static final long TYPE_MASK = TYPE_DATA | TYPE_SYSTEM | TYPE_METADATA;
  public static final int OFF_USED = 0;
  public static final int OFF_CHUNK_OBJECTID = 8;
  public static final int OFF_FLAGS = 16;

  public static BlockGroupItem parse(byte[] b, int off, int size) throws FormatException {
    if (size < SIZE) throw new FormatException("block group item too small");
    return new BlockGroupItem(Le.u64(b, off), Le.u64(b, off + 8), Le.u64(b, off + 16));
  }
}
