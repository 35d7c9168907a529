package org.jbtrfs.format;

import java.lang.reflect.Field;
import java.nio.ByteOrder;

/**
 * Little-endian field access on byte arrays; every on-disk integer in btrfs is little-endian.
 *
 * <p>32- and 64-bit reads are single loads through sun.misc.Unsafe after an explicit bounds check
 * (the same ArrayIndexOutOfBoundsException a plain array access throws, so a corrupt offset is
 * still an ordinary error). The mount runs on C1 only, which compiles neither VarHandle views nor
 * byte-by-byte assembly into one load: key comparisons in tree searches spent a tenth of a
 * small-file create in the byte-by-byte form.
 */
public final class Le {
  private Le() {}

  private static final sun.misc.Unsafe UNSAFE = unsafe();
  private static final long BASE = UNSAFE.arrayBaseOffset(byte[].class);
  private static final boolean LITTLE_HOST = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

  private static sun.misc.Unsafe unsafe() {
    try {
      Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (sun.misc.Unsafe) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static void check(byte[] b, int off, int len) {
    if (off < 0 || off > b.length - len)
      throw new ArrayIndexOutOfBoundsException(
          "offset " + off + " + " + len + " outside " + b.length + " bytes");
  }

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
    check(b, off, 4);
    int v = UNSAFE.getInt(b, BASE + off);
    return LITTLE_HOST ? v : Integer.reverseBytes(v);
  }

  public static long u64(byte[] b, int off) {
    check(b, off, 8);
    long v = UNSAFE.getLong(b, BASE + off);
    return LITTLE_HOST ? v : Long.reverseBytes(v);
  }

  public static void put16(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
  }

  public static void put32(byte[] b, int off, long v) {
    check(b, off, 4);
    UNSAFE.putInt(b, BASE + off, LITTLE_HOST ? (int) v : Integer.reverseBytes((int) v));
  }

  public static void put64(byte[] b, int off, long v) {
    check(b, off, 8);
    UNSAFE.putLong(b, BASE + off, LITTLE_HOST ? v : Long.reverseBytes(v));
  }
}
