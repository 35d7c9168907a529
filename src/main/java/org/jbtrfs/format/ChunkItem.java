package org.jbtrfs.format;

import java.util.ArrayList;
import java.util.List;

/** A CHUNK_ITEM: a logical range and the device stripes that hold it. */
public record ChunkItem(
    long length,
    long owner,
    long stripeLen,
    long type,
    int ioAlign,
    int ioWidth,
    int sectorSize,
    int subStripes,
    List<Stripe> stripes) {
  public static final int HEADER_SIZE = 48;
  public static final int STRIPE_SIZE = 32;

  public static final int OFF_LENGTH = 0;
  public static final int OFF_STRIPE_LEN = 16;
  public static final int OFF_TYPE = 24;
  public static final int OFF_SECTOR_SIZE = 40;
  public static final int OFF_NUM_STRIPES = 44;
  public static final int OFF_SUB_STRIPES = 46;

  /** The only stripe length btrfs uses (BTRFS_STRIPE_LEN). */
  public static final long STRIPE_LEN = 64 * 1024;

  /** One stripe: a device and the physical offset on it. */
  public record Stripe(long devid, long offset, byte[] devUuid) {}

  public static int sizeFor(int numStripes) {
    return HEADER_SIZE + numStripes * STRIPE_SIZE;
  }

  /** Parses a chunk item from at most {@code available} bytes. */
  public static ChunkItem parse(byte[] b, int off, int available) throws FormatException {
    if (available < HEADER_SIZE) throw new FormatException("chunk item truncated");
    int numStripes = Le.u16(b, off + 44);
    if (numStripes == 0) throw new FormatException("chunk item with no stripes");
    if (sizeFor(numStripes) > available) throw new FormatException("chunk item stripes overrun");
    List<Stripe> stripes = new ArrayList<>(numStripes);
    for (int i = 0; i < numStripes; i++) {
      int s = off + HEADER_SIZE + i * STRIPE_SIZE;
      byte[] uuid = new byte[16];
      System.arraycopy(b, s + 16, uuid, 0, 16);
      stripes.add(new Stripe(Le.u64(b, s), Le.u64(b, s + 8), uuid));
    }
    long length = Le.u64(b, off);
    long stripeLen = Le.u64(b, off + 16);
    if (length == 0) throw new FormatException("chunk item with zero length");
    // stripe_len is unsigned: 1 << 63 has one bit set but is negative as a Java long.
    if (stripeLen <= 0 || Long.bitCount(stripeLen) != 1) {
      throw new FormatException("chunk item with invalid stripe length " + stripeLen);
    }
    return new ChunkItem(
        length,
        Le.u64(b, off + 8),
        stripeLen,
        Le.u64(b, off + 24),
        Le.i32(b, off + 32),
        Le.i32(b, off + 36),
        Le.i32(b, off + 40),
        Le.u16(b, off + 46),
        stripes);
  }
}
