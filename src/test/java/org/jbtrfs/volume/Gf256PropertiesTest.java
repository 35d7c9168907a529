package org.jbtrfs.volume;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class Gf256PropertiesTest {
  @Property
  void multiplicationIsCommutativeAndAssociative(
      @ForAll @IntRange(max = 255) int a,
      @ForAll @IntRange(max = 255) int b,
      @ForAll @IntRange(max = 255) int c) {
    assertThat(Gf256.mul(a, b)).isEqualTo(Gf256.mul(b, a));
    assertThat(Gf256.mul(Gf256.mul(a, b), c)).isEqualTo(Gf256.mul(a, Gf256.mul(b, c)));
  }

  @Property
  void multiplicationDistributesOverXor(
      @ForAll @IntRange(max = 255) int a,
      @ForAll @IntRange(max = 255) int b,
      @ForAll @IntRange(max = 255) int c) {
    assertThat(Gf256.mul(a, b ^ c)).isEqualTo(Gf256.mul(a, b) ^ Gf256.mul(a, c));
  }

  @Property
  void everyNonZeroElementHasAnInverse(@ForAll @IntRange(min = 1, max = 255) int a) {
    assertThat(Gf256.mul(a, Gf256.inv(a))).isEqualTo(1);
    assertThat(Gf256.mul(a, 1)).isEqualTo(a);
    assertThat(Gf256.mul(a, 0)).isZero();
  }

  @Property
  void mul2MatchesGeneralMultiply(@ForAll @IntRange(max = 255) int a) {
    assertThat(Gf256.mul2(a)).isEqualTo(Gf256.mul(2, a));
  }

  @Test
  void generatorHasFullOrderUnderPolynomial0x11d() {
    // 2^8 = 0x100 reduces to 0x1d; the powers of 2 must visit all 255 non-zero elements.
    assertThat(Gf256.pow2(8)).isEqualTo(0x1d);
    boolean[] seen = new boolean[256];
    for (int i = 0; i < 255; i++) {
      seen[Gf256.pow2(i)] = true;
    }
    for (int x = 1; x < 256; x++) {
      assertThat(seen[x]).as("element %d", x).isTrue();
    }
    assertThat(Gf256.pow2(255)).isEqualTo(1);
    assertThat(Gf256.pow2(-1)).isEqualTo(Gf256.inv(2));
  }

  @Test
  void knownProducts() {
    // Hand-computed by shift-and-reduce modulo 0x11d: (x+1)^2 = x^2+1.
    assertThat(Gf256.mul(0x80, 2)).isEqualTo(0x1d);
    assertThat(Gf256.mul(0x80, 4)).isEqualTo(0x3a);
    assertThat(Gf256.mul(3, 3)).isEqualTo(5);
  }
}
