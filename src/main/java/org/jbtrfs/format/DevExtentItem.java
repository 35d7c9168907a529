package org.jbtrfs.format;

/**
 * A DEV_EXTENT item decoded (key: devid, DEV_EXTENT, physical offset; layout in DevExtent): the
 * device range [offset, offset+length) that holds one stripe of the chunk at logical {@code
 * chunkOffset}.
 */
public record DevExtentItem(long chunkTree, long chunkObjectId, long chunkOffset, long length) {
  public static DevExtentItem parse(byte[] b, int off, int size) throws FormatException {
    // The chunk tree uuid that ends the item is not needed to read it.
    if (size < DevExtent.OFF_CHUNK_TREE_UUID)
      throw new FormatException("dev extent item too small: " + size + " bytes");
    return new DevExtentItem(
        Le.u64(b, off + DevExtent.OFF_CHUNK_TREE),
        Le.u64(b, off + DevExtent.OFF_CHUNK_OBJECTID),
        Le.u64(b, off + DevExtent.OFF_CHUNK_OFFSET),
        Le.u64(b, off + DevExtent.OFF_LENGTH));
  }
}
