package org.jbtrfs.volume;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Parity generation and reconstruction for RAID5/6 stripe rows.
 *
 * <p>A row is {@code data[0..n-1]} (data stripes in logical order) plus P and Q. All methods work
 * on the byte range [off, off+len) of every array, so callers can process a slice of a stripe
 * element without copying. P = XOR of the data; Q = sum over i of g^i * data[i] in GF(2^8) (g = 2),
 * which is the Linux md RAID6 syndrome btrfs shares.
 *
 * <p>Parity is on the write path of every RAID5/6 byte, so the loops work on eight bytes at once:
 * XOR is bytewise anyway, and doubling in GF(2^8) is a shift per byte plus the reduction constant
 * where a byte's top bit fell out, which a 64-bit word does for its eight bytes together. A row is
 * read once per word position for all its stripes (P and Q in one pass), not once per stripe.
 *
 * <p>Recovery methods overwrite the lost data array(s) in the range; the content there on entry is
 * ignored, so a scratch buffer may be passed for a missing stripe.
 */
public final class Raid56Math {
  private static final VarHandle WORDS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long LOW7 = 0x7f7f7f7f7f7f7f7fL;
  private static final long HIGH = 0x8080808080808080L;

  private Raid56Math() {}

  public static void computeP(byte[][] data, int off, int len, byte[] p) {
    xorOf(data, -1, -1, off, len, p, off);
  }

  public static void computeQ(byte[][] data, int off, int len, byte[] q) {
    syndromeOf(data, -1, -1, off, len, q, off);
  }

  /** P and Q of the row in one pass over the data, for writers that need both. */
  public static void computePQ(byte[][] data, int off, int len, byte[] p, byte[] q) {
    int end = off + len;
    int k = off;
    for (; k + 8 <= end; k += 8) {
      long xp = 0;
      long xq = 0;
      for (int i = data.length - 1; i >= 0; i--) {
        long d = word(data[i], k);
        xp ^= d;
        xq = times2(xq) ^ d;
      }
      WORDS.set(p, k, xp);
      WORDS.set(q, k, xq);
    }
    for (; k < end; k++) {
      int xp = 0;
      int xq = 0;
      for (int i = data.length - 1; i >= 0; i--) {
        int d = data[i][k] & 0xff;
        xp ^= d;
        xq = Gf256.mul2(xq) ^ d;
      }
      p[k] = (byte) xp;
      q[k] = (byte) xq;
    }
  }

  /** RAID5-style rebuild of one data stripe: it is P xor all surviving data. */
  public static void recoverOneWithP(byte[][] data, int lost, int off, int len, byte[] p) {
    checkIndex(data, lost);
    byte[] acc = new byte[len];
    xorOf(data, lost, -1, off, len, acc, 0);
    byte[] out = data[lost];
    for (int k = 0; k < len; k++) {
      out[off + k] = (byte) (acc[k] ^ p[off + k]);
    }
  }

  /**
   * Rebuilds one data stripe from Q and the surviving data, without P (for when P is also gone): Q
   * xor the syndrome of the survivors leaves g^lost * D_lost.
   */
  public static void recoverWithQ(byte[][] data, int lost, int off, int len, byte[] q) {
    checkIndex(data, lost);
    byte[] qx = new byte[len];
    syndromeOf(data, lost, -1, off, len, qx, 0);
    byte[] scale = Gf256.mulTable(Gf256.pow2(-lost));
    byte[] out = data[lost];
    for (int k = 0; k < len; k++) {
      out[off + k] = scale[(qx[k] ^ q[off + k]) & 0xff];
    }
  }

  /**
   * Rebuilds two lost data stripes a and b from P and Q. With P' = Da^Db and Q' = g^a Da ^ g^b Db
   * (the parities minus the survivors' contributions), Da = (Q' ^ g^b P') / (g^a ^ g^b) and Db = P'
   * ^ Da.
   */
  public static void recoverTwoData(
      byte[][] data, int lostA, int lostB, int off, int len, byte[] p, byte[] q) {
    checkIndex(data, lostA);
    checkIndex(data, lostB);
    if (lostA == lostB) {
      throw new IllegalArgumentException("the two lost stripes must differ: " + lostA);
    }
    byte[] px = new byte[len];
    byte[] qx = new byte[len];
    xorOf(data, lostA, lostB, off, len, px, 0);
    syndromeOf(data, lostA, lostB, off, len, qx, 0);
    byte[] byGb = Gf256.mulTable(Gf256.pow2(lostB));
    byte[] byDenInv = Gf256.mulTable(Gf256.inv(Gf256.pow2(lostA) ^ Gf256.pow2(lostB)));
    byte[] outA = data[lostA];
    byte[] outB = data[lostB];
    for (int k = 0; k < len; k++) {
      int pd = (px[k] ^ p[off + k]) & 0xff;
      int qd = (qx[k] ^ q[off + k]) & 0xff;
      int da = byDenInv[(qd ^ byGb[pd]) & 0xff] & 0xff;
      outA[off + k] = (byte) da;
      outB[off + k] = (byte) (pd ^ da);
    }
  }

  // --- skipA/skipB stand for up to two lost stripes, which count as zero.

  /** out[outOff..outOff+len) = XOR of data[i][off..off+len) over the stripes not skipped. */
  private static void xorOf(
      byte[][] data, int skipA, int skipB, int off, int len, byte[] out, int outOff) {
    byte[][] kept = without(data, skipA, skipB);
    int end = off + len;
    int k = off;
    for (; k + 8 <= end; k += 8) {
      long x = 0;
      for (byte[] d : kept) x ^= word(d, k);
      WORDS.set(out, outOff + (k - off), x);
    }
    for (; k < end; k++) {
      int x = 0;
      for (byte[] d : kept) x ^= d[k];
      out[outOff + (k - off)] = (byte) x;
    }
  }

  /**
   * out[outOff..outOff+len) = sum of g^i D_i over the stripes not skipped, by Horner evaluation
   * from the highest index down (acc = acc*2 ^ D_i; a skipped stripe only doubles).
   */
  private static void syndromeOf(
      byte[][] data, int skipA, int skipB, int off, int len, byte[] out, int outOff) {
    int end = off + len;
    int k = off;
    for (; k + 8 <= end; k += 8) {
      long acc = 0;
      for (int i = data.length - 1; i >= 0; i--) {
        acc = times2(acc);
        if (i != skipA && i != skipB) acc ^= word(data[i], k);
      }
      WORDS.set(out, outOff + (k - off), acc);
    }
    for (; k < end; k++) {
      int acc = 0;
      for (int i = data.length - 1; i >= 0; i--) {
        acc = Gf256.mul2(acc);
        if (i != skipA && i != skipB) acc ^= data[i][k] & 0xff;
      }
      out[outOff + (k - off)] = (byte) acc;
    }
  }

  /**
   * Doubles each of the eight bytes of {@code x} in GF(2^8): shift within the byte, and where the
   * top bit fell out add the polynomial's low byte (0x1d); (top bits >>> 7) * 0x1d puts exactly
   * 0x1d into those bytes and never carries into the next.
   */
  static long times2(long x) {
    long overflow = (x & HIGH) >>> 7;
    return ((x & LOW7) << 1) ^ (overflow * (Gf256.POLY & 0xff));
  }

  private static long word(byte[] a, int at) {
    return (long) WORDS.get(a, at);
  }

  private static byte[][] without(byte[][] data, int skipA, int skipB) {
    int n = 0;
    for (int i = 0; i < data.length; i++) if (i != skipA && i != skipB) n++;
    byte[][] kept = new byte[n][];
    int j = 0;
    for (int i = 0; i < data.length; i++) if (i != skipA && i != skipB) kept[j++] = data[i];
    return kept;
  }

  private static void checkIndex(byte[][] data, int idx) {
    if (idx < 0 || idx >= data.length) {
      throw new IndexOutOfBoundsException("stripe " + idx + " of " + data.length);
    }
  }
}
