package org.jbtrfs.volume;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Erase any one or two of the n+2 members of a RAID6 row (data, P or Q), recover with the matching
 * routine, and require the original bytes back. Parity members are recovered by recomputing them
 * once the data is whole.
 */
class Raid56MathPropertiesTest {

  @Property(tries = 300)
  void anyTwoErasuresAreRecovered(
      @ForAll @IntRange(min = 2, max = 8) int n,
      @ForAll @IntRange(min = 1, max = 300) int len,
      @ForAll @IntRange(min = 0, max = 40) int off,
      @ForAll @IntRange(min = 0, max = 9) int e1Raw,
      @ForAll @IntRange(min = 0, max = 9) int e2Raw,
      @ForAll long seed) {
    int members = n + 2;
    int e1 = e1Raw % members;
    int e2 = e2Raw % members;
    Random rnd = new Random(seed);
    byte[][] data = new byte[n][off + len];
    for (byte[] d : data) {
      rnd.nextBytes(d);
    }
    byte[] p = new byte[off + len];
    byte[] q = new byte[off + len];
    Raid56Math.computeP(data, off, len, p);
    Raid56Math.computeQ(data, off, len, q);
    byte[][] origData = deepCopy(data);
    byte[] origP = p.clone();
    byte[] origQ = q.clone();

    // Erase with junk so stale content can't fake a pass.
    boolean pLost = e1 == n || e2 == n;
    boolean qLost = e1 == n + 1 || e2 == n + 1;
    int[] lostData =
        java.util.stream.IntStream.of(e1, e2).filter(i -> i < n).distinct().sorted().toArray();
    for (int i : lostData) {
      rnd.nextBytes(data[i]);
    }
    if (pLost) {
      rnd.nextBytes(p);
    }
    if (qLost) {
      rnd.nextBytes(q);
    }

    if (lostData.length == 2) {
      Raid56Math.recoverTwoData(data, lostData[0], lostData[1], off, len, p, q);
    } else if (lostData.length == 1 && !pLost) {
      Raid56Math.recoverOneWithP(data, lostData[0], off, len, p);
    } else if (lostData.length == 1) {
      Raid56Math.recoverWithQ(data, lostData[0], off, len, q);
    }
    if (pLost) {
      Raid56Math.computeP(data, off, len, p);
    }
    if (qLost) {
      Raid56Math.computeQ(data, off, len, q);
    }

    for (int i = 0; i < n; i++) {
      assertThat(slice(data[i], off, len)).as("data %d", i).isEqualTo(slice(origData[i], off, len));
    }
    assertThat(slice(p, off, len)).isEqualTo(slice(origP, off, len));
    assertThat(slice(q, off, len)).isEqualTo(slice(origQ, off, len));
  }

  @Property(tries = 100)
  void qRecoveryWorksEvenWithPIntact(
      @ForAll @IntRange(min = 1, max = 8) int n,
      @ForAll @IntRange(min = 0, max = 7) int lostRaw,
      @ForAll long seed) {
    int lost = lostRaw % n;
    Random rnd = new Random(seed);
    byte[][] data = new byte[n][64];
    for (byte[] d : data) {
      rnd.nextBytes(d);
    }
    byte[] q = new byte[64];
    Raid56Math.computeQ(data, 0, 64, q);
    byte[] want = data[lost].clone();
    data[lost] = new byte[64];
    Raid56Math.recoverWithQ(data, lost, 0, 64, q);
    assertThat(data[lost]).isEqualTo(want);
  }

  /**
   * The word-wide loops against the definition byte by byte (P = XOR, Q = sum g^i D_i through the
   * log tables), over lengths and offsets that leave every tail size, and the fused P+Q pass
   * against both.
   */
  @Property(tries = 200)
  void wordWideParityEqualsTheBytewiseDefinition(
      @ForAll @IntRange(min = 1, max = 9) int n,
      @ForAll @IntRange(min = 0, max = 200) int len,
      @ForAll @IntRange(min = 0, max = 15) int off,
      @ForAll long seed) {
    Random rnd = new Random(seed);
    byte[][] data = new byte[n][off + len + 3];
    for (byte[] d : data) rnd.nextBytes(d);
    byte[] wantP = new byte[off + len];
    byte[] wantQ = new byte[off + len];
    for (int k = off; k < off + len; k++) {
      int p = 0;
      int q = 0;
      for (int i = 0; i < n; i++) {
        p ^= data[i][k] & 0xff;
        q ^= Gf256.mul(Gf256.pow2(i), data[i][k] & 0xff);
      }
      wantP[k] = (byte) p;
      wantQ[k] = (byte) q;
    }
    byte[] p = new byte[off + len];
    byte[] q = new byte[off + len];
    Raid56Math.computeP(data, off, len, p);
    Raid56Math.computeQ(data, off, len, q);
    assertThat(p).isEqualTo(wantP);
    assertThat(q).isEqualTo(wantQ);
    byte[] p2 = new byte[off + len];
    byte[] q2 = new byte[off + len];
    Raid56Math.computePQ(data, off, len, p2, q2);
    assertThat(p2).isEqualTo(wantP);
    assertThat(q2).isEqualTo(wantQ);
  }

  @Property(tries = 300)
  void doublingEightBytesAtOnceDoublesEachByte(@ForAll long word) {
    long doubled = Raid56Math.times2(word);
    for (int b = 0; b < 8; b++) {
      int in = (int) (word >>> (8 * b)) & 0xff;
      int out = (int) (doubled >>> (8 * b)) & 0xff;
      assertThat(out).isEqualTo(Gf256.mul(2, in));
    }
  }

  @Test
  void syndromeMatchesDefinition() {
    // Q = sum g^i D_i: with D0=1, D1=1, D2=1 this is 1 ^ 2 ^ 4 = 7; D2=0x80 adds 0x80*4=0x3a.
    byte[][] data = {{1}, {1}, {1}};
    byte[] q = new byte[1];
    Raid56Math.computeQ(data, 0, 1, q);
    assertThat(q[0]).isEqualTo((byte) 7);
    data[2][0] = (byte) 0x80;
    Raid56Math.computeQ(data, 0, 1, q);
    assertThat(q[0] & 0xff).isEqualTo(1 ^ 2 ^ 0x3a);
    byte[] p = new byte[1];
    Raid56Math.computeP(data, 0, 1, p);
    assertThat(p[0] & 0xff).isEqualTo(0x80);
  }

  @Test
  void onlyTheRequestedRangeIsWritten() {
    byte[][] data = {{1, 2, 3, 4}, {5, 6, 7, 8}};
    byte[] p = {9, 9, 9, 9};
    Raid56Math.computeP(data, 1, 2, p);
    assertThat(p).containsExactly(9, 2 ^ 6, 3 ^ 7, 9);
  }

  private static byte[] slice(byte[] a, int off, int len) {
    return java.util.Arrays.copyOfRange(a, off, off + len);
  }

  private static byte[][] deepCopy(byte[][] a) {
    byte[][] c = new byte[a.length][];
    for (int i = 0; i < a.length; i++) {
      c[i] = a[i].clone();
    }
    return c;
  }
}
