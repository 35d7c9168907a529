package org.jbtrfs.volume;

/**
 * Arithmetic in GF(2^8) with the reducing polynomial x^8+x^4+x^3+x^2+1 (0x11d) and generator 2: the
 * field Linux md RAID6 and btrfs RAID6 use for the Q syndrome. Log/exp tables are built once at
 * class load; elements are ints in 0..255.
 */
public final class Gf256 {
  public static final int POLY = 0x11d;

  /** EXP[i] = 2^i; doubled in length so log sums never need a modulo. */
  private static final int[] EXP = new int[510];

  /** LOG[x] = i with 2^i = x, for x != 0. LOG[0] is unused. */
  private static final int[] LOG = new int[256];

  static {
    int x = 1;
    for (int i = 0; i < 255; i++) {
      EXP[i] = x;
      EXP[i + 255] = x;
      LOG[x] = i;
      x <<= 1;
      if ((x & 0x100) != 0) {
        x ^= POLY;
      }
    }
  }

  private Gf256() {}

  public static int mul(int a, int b) {
    if (a == 0 || b == 0) {
      return 0;
    }
    return EXP[LOG[a] + LOG[b]];
  }

  /** Multiplicative inverse; zero has none. */
  public static int inv(int a) {
    if (a == 0) {
      throw new ArithmeticException("zero has no inverse in GF(2^8)");
    }
    return EXP[255 - LOG[a]];
  }

  /** The generator raised to {@code n}; negative exponents give inverses. */
  public static int pow2(int n) {
    return EXP[Math.floorMod(n, 255)];
  }

  /** Multiplying by 2 is the step of Horner evaluation of Q, so it gets a cheap form. */
  static int mul2(int b) {
    int r = b << 1;
    return (r & 0x100) != 0 ? (r ^ POLY) : r;
  }

  /** 256-entry table of {@code c * x}, so a whole buffer is scaled by one lookup per byte. */
  static byte[] mulTable(int c) {
    byte[] t = new byte[256];
    for (int x = 0; x < 256; x++) {
      t[x] = (byte) mul(c, x);
    }
    return t;
  }
}
