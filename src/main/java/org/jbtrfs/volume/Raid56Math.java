package org.jbtrfs.volume;

import org.jbtrfs.format.ByteArrays;

/**
 * Parity generation and reconstruction for RAID5/6 stripe rows.
 *
 * <p>A row is {@code data[0..n-1]} (data stripes in logical order) plus P and Q. All methods work
 * on the byte range [off, off+len) of every array, so callers can process a slice of a stripe
 * element without copying. P = XOR of the data; Q = sum over i of g^i * data[i] in GF(2^8) (g = 2),
 * which is the Linux md RAID6 syndrome btrfs shares.
 *
 * <p>Recovery methods overwrite the lost data array(s) in the range; the content there on entry is
 * ignored, so a scratch buffer may be passed for a missing stripe.
 */
public final class Raid56Math {
  private Raid56Math() {}

  public static void computeP(byte[][] data, int off, int len, byte[] p) {
    xorOfAllExcept(data, -1, -1, off, len, p);
  }

  public static void computeQ(byte[][] data, int off, int len, byte[] q) {
    syndromeExcept(data, -1, -1, off, len, q);
  }

  /** RAID5-style rebuild of one data stripe: it is P xor all surviving data. */
  public static void recoverOneWithP(byte[][] data, int lost, int off, int len, byte[] p) {
    checkIndex(data, lost);
    byte[] out = data[lost];
    byte[] acc = new byte[len];
    System.arraycopy(p, off, acc, 0, len);
    for (int i = 0; i < data.length; i++) {
      if (i != lost) {
        xorInto(acc, data[i], off, len);
      }
    }
    System.arraycopy(acc, 0, out, off, len);
  }

  /**
   * Rebuilds one data stripe from Q and the surviving data, without P (for when P is also gone): Q
   * xor the syndrome of the survivors leaves g^lost * D_lost.
   */
  public static void recoverWithQ(byte[][] data, int lost, int off, int len, byte[] q) {
    checkIndex(data, lost);
    byte[] qx = new byte[len];
    syndromeInto(data, lost, -1, off, len, qx);
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
    xorInto0(data, lostA, lostB, off, len, px);
    syndromeInto(data, lostA, lostB, off, len, qx);
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

  // --- helpers: "except" variants skip up to two indices, which stand in for lost stripes.

  private static void xorOfAllExcept(
      byte[][] data, int skipA, int skipB, int off, int len, byte[] out) {
    byte[] acc = new byte[len];
    xorInto0(data, skipA, skipB, off, len, acc);
    System.arraycopy(acc, 0, out, off, len);
  }

  /** XOR of the non-skipped data into acc[0..len), which must start zeroed. */
  private static void xorInto0(byte[][] data, int skipA, int skipB, int off, int len, byte[] acc) {
    for (int i = 0; i < data.length; i++) {
      if (i != skipA && i != skipB) {
        xorInto(acc, data[i], off, len);
      }
    }
  }

  private static void syndromeExcept(
      byte[][] data, int skipA, int skipB, int off, int len, byte[] out) {
    byte[] acc = new byte[len];
    syndromeInto(data, skipA, skipB, off, len, acc);
    System.arraycopy(acc, 0, out, off, len);
  }

  /**
   * Horner evaluation from the highest index down (acc = acc*2 ^ D_i), giving sum g^i D_i with
   * skipped stripes counted as zero. Writes acc[0..len).
   */
  private static void syndromeInto(
      byte[][] data, int skipA, int skipB, int off, int len, byte[] acc) {
    ByteArrays.zero(acc, 0, len);
    for (int i = data.length - 1; i >= 0; i--) {
      boolean skip = i == skipA || i == skipB;
      byte[] d = data[i];
      for (int k = 0; k < len; k++) {
        int v = Gf256.mul2(acc[k] & 0xff);
        acc[k] = (byte) (skip ? v : v ^ d[off + k]);
      }
    }
  }

  private static void xorInto(byte[] acc, byte[] src, int off, int len) {
    for (int k = 0; k < len; k++) {
      acc[k] ^= src[off + k];
    }
  }

  private static void checkIndex(byte[][] data, int idx) {
    if (idx < 0 || idx >= data.length) {
      throw new IndexOutOfBoundsException("stripe " + idx + " of " + data.length);
    }
  }
}
