package org.jbtrfs.format;

/**
 * DEV_EXTENT (key: devid, DEV_EXTENT, physical offset): the device range [offset, offset+length)
 * that holds one stripe of the chunk at logical {@code chunkOffset}.
 */
public record DevExtentItem(long chunkTree, long chunkObjectId, long chunkOffset, long length) {
  /** The four u64 fields; the chunk tree uuid (16 bytes) follows and is not needed to read. */
  public static final int SIZE = 48;

  public static DevExtentItem parse(byte[] b, int off, int size) throws FormatException {
    if (size < SIZE) throw new FormatException("dev extent item too small: " + size + " bytes");
    return new DevExtentItem(
        Le.u64(b, off), Le.u64(b, off + 8), Le.u64(b, off + 16), Le.u64(b, off + 24));
  }
}
