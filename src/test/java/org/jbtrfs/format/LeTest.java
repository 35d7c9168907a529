package org.jbtrfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Le's single-load reads and writes against the little-endian byte order spelled out by hand. */
class LeTest {
  @Property
  void readsAssembleLittleEndianBytes(
      @ForAll @Size(min = 8, max = 64) byte[] b, @ForAll @IntRange(min = 0, max = 56) int at) {
    int off = Math.min(at, b.length - 8);
    long expected = 0;
    for (int i = 7; i >= 0; i--) expected = expected << 8 | (b[off + i] & 0xff);
    assertThat(Le.u64(b, off)).isEqualTo(expected);
    assertThat(Le.i32(b, off)).isEqualTo((int) expected);
    assertThat(Le.u32(b, off)).isEqualTo(expected & 0xffffffffL);
    assertThat(Le.u16(b, off)).isEqualTo((int) (expected & 0xffff));
  }

  @Property
  void writesStoreLittleEndianBytesAndNothingElse(
      @ForAll long v, @ForAll @IntRange(min = 0, max = 8) int off) {
    byte[] b = new byte[16];
    Le.put64(b, off, v);
    for (int i = 0; i < 16; i++) {
      byte want = i >= off && i < off + 8 ? (byte) (v >>> (8 * (i - off))) : 0;
      assertThat(b[i]).as("byte %d", i).isEqualTo(want);
    }
    byte[] c = new byte[16];
    Le.put32(c, off, v);
    assertThat(Le.u64(c, off)).isEqualTo(v & 0xffffffffL);
  }

  @Property
  void offsetsOutsideTheArrayThrowInsteadOfTouchingMemory(
      @ForAll @Size(max = 16) byte[] b, @ForAll @IntRange(min = -20, max = 40) int off) {
    boolean fits64 = off >= 0 && off + 8 <= b.length;
    boolean fits32 = off >= 0 && off + 4 <= b.length;
    if (!fits64) {
      assertThatThrownBy(() -> Le.u64(b, off)).isInstanceOf(ArrayIndexOutOfBoundsException.class);
      assertThatThrownBy(() -> Le.put64(b, off, 1))
          .isInstanceOf(ArrayIndexOutOfBoundsException.class);
    }
    if (!fits32) {
      assertThatThrownBy(() -> Le.i32(b, off)).isInstanceOf(ArrayIndexOutOfBoundsException.class);
      assertThatThrownBy(() -> Le.put32(b, off, 1))
          .isInstanceOf(ArrayIndexOutOfBoundsException.class);
    }
    // Integer.MAX_VALUE - 2 must not wrap around into a passing check.
    assertThatThrownBy(() -> Le.u64(b, Integer.MAX_VALUE - 2))
        .isInstanceOf(ArrayIndexOutOfBoundsException.class);
  }
}
