package org.jbtrfs.format;

/**
 * An EXTENT_DATA item. Inline extents carry their (possibly compressed) bytes in the item; regular
 * and prealloc extents point at {@code diskBytenr}; a zero disk address is a hole.
 */
public record FileExtentItem(
    long generation,
    long ramBytes,
    int compression,
    int encryption,
    int otherEncoding,
    int type,
    long diskBytenr,
    long diskNumBytes,
    long offset,
    long numBytes,
    int inlineDataOffset,
    int inlineDataSize) {
  public static final int TYPE_INLINE = 0;
  public static final int TYPE_REG = 1;
  public static final int TYPE_PREALLOC = 2;
  public static final int INLINE_HEADER_SIZE = 21;
  public static final int SIZE = 53;

  public static final int OFF_RAM_BYTES = 8;
  public static final int OFF_COMPRESSION = 16;
  public static final int OFF_ENCRYPTION = 17;
  public static final int OFF_TYPE = 20;
  public static final int OFF_DISK_BYTENR = 21;
  public static final int OFF_DISK_NUM_BYTES = 29;
  public static final int OFF_OFFSET = 37;
  public static final int OFF_NUM_BYTES = 45;

  /** Extent types are 0..2 (inline, regular, prealloc). */
  public static final int TYPE_COUNT = 3;

  /** Compression types are 0..3 (none, zlib, lzo, zstd). */
  public static final int COMPRESSION_COUNT = 4;

  public static FileExtentItem parse(byte[] b, int off, int size) throws FormatException {
    if (size < INLINE_HEADER_SIZE) throw new FormatException("file extent item too small: " + size);
    int type = Le.u8(b, off + 20);
    long gen = Le.u64(b, off);
    long ram = Le.u64(b, off + 8);
    int comp = Le.u8(b, off + 16);
    int enc = Le.u8(b, off + 17);
    int other = Le.u16(b, off + 18);
    if (type == TYPE_INLINE) {
      return new FileExtentItem(
          gen,
          ram,
          comp,
          enc,
          other,
          type,
          0,
          0,
          0,
          ram,
          off + INLINE_HEADER_SIZE,
          size - INLINE_HEADER_SIZE);
    }
    if (type != TYPE_REG && type != TYPE_PREALLOC) {
      throw new FormatException("unknown file extent type " + type);
    }
    if (size != SIZE)
      throw new FormatException("file extent item has size " + size + ", expected " + SIZE);
    return new FileExtentItem(
        gen,
        ram,
        comp,
        enc,
        other,
        type,
        Le.u64(b, off + 21),
        Le.u64(b, off + 29),
        Le.u64(b, off + 37),
        Le.u64(b, off + 45),
        0,
        0);
  }

  /** A regular (or prealloc) extent item pointing at {@code numBytes} of a disk extent. */
  public static byte[] encodeRegular(
      long generation,
      long ramBytes,
      int compression,
      int type,
      long diskBytenr,
      long diskNumBytes,
      long offset,
      long numBytes) {
    byte[] b = new byte[SIZE];
    Le.put64(b, 0, generation);
    Le.put64(b, 8, ramBytes);
    b[16] = (byte) compression;
    b[20] = (byte) type;
    Le.put64(b, 21, diskBytenr);
    Le.put64(b, 29, diskNumBytes);
    Le.put64(b, 37, offset);
    Le.put64(b, 45, numBytes);
    return b;
  }

  /** An inline extent holding {@code data} (already compressed when {@code compression != 0}). */
  /**
   * This regular or prealloc item narrowed to {@code numBytes} at {@code offset} into the same disk
   * extent, with {@code generation}: the piece a split, a trim or a reflink keeps.
   */
  public byte[] encodeRange(long generation, long offset, long numBytes) {
    return encodeRegular(
        generation,
        ramBytes(),
        compression(),
        type(),
        diskBytenr(),
        diskNumBytes(),
        offset,
        numBytes);
  }

  public static byte[] encodeInline(long generation, long ramBytes, int compression, byte[] data) {
    byte[] b = new byte[INLINE_HEADER_SIZE + data.length];
    Le.put64(b, 0, generation);
    Le.put64(b, 8, ramBytes);
    b[16] = (byte) compression;
    b[20] = (byte) TYPE_INLINE;
    System.arraycopy(data, 0, b, INLINE_HEADER_SIZE, data.length);
    return b;
  }

  public boolean isInline() {
    return type == TYPE_INLINE;
  }

  public boolean isHole() {
    return type != TYPE_INLINE && diskBytenr == 0;
  }
}
