package org.jbtrfs.format;

/** Little-endian field access on byte arrays; every on-disk integer in btrfs is little-endian. */
public final class Le {
  private Le() {}

  public static int u8(byte[] b, int off) {
    return b[off] & 0xff;
  }

  public static int u16(byte[] b, int off) {
    return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
  }

  /** Unsigned 32-bit value widened to long. */
  public static long u32(byte[] b, int off) {
    return i32(b, off) & 0xffffffffL;
  }

  public static int i32(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  public static long u64(byte[] b, int off) {
    return (i32(b, off) & 0xffffffffL) | ((long) i32(b, off + 4)) << 32;
  }

  public static void put16(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
  }

  public static void put32(byte[] b, int off, long v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  public static void put64(byte[] b, int off, long v) {
    put32(b, off, v);
    put32(b, off + 4, v >>> 32);
  }
}
