package org.jbtrfs.fs.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class DecompressorTest {
  private static final int SECTOR = 4096;
  private static final byte[] DATA = KernelExtents.text(20_000, 42);

  private static byte[] compressed(CompressionType type) {
    byte[] c = Compressor.compress(type, 0, DATA, 0, DATA.length, SECTOR);
    assertThat(c).isNotNull();
    return c;
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"ZLIB", "LZO", "ZSTD"})
  void shortStreamLeavesTheTailZero(CompressionType type) throws IOException {
    byte[] c = compressed(type);
    byte[] out = Decompressor.decompress(type, c, 0, c.length, DATA.length + 5000, SECTOR);
    assertThat(Arrays.copyOf(out, DATA.length)).isEqualTo(DATA);
    assertThat(Arrays.copyOfRange(out, DATA.length, out.length)).containsOnly(0);
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"ZLIB", "LZO", "ZSTD"})
  void outputBeyondTheRequestedLengthIsDropped(CompressionType type) throws IOException {
    byte[] c = compressed(type);
    assertThat(Decompressor.decompress(type, c, 0, c.length, 777, SECTOR))
        .isEqualTo(Arrays.copyOf(DATA, 777));
    assertThat(Decompressor.decompress(type, c, 0, c.length, 0, SECTOR)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"ZLIB", "LZO", "ZSTD"})
  void neverReadsPastSrcLen(CompressionType type) {
    byte[] c = compressed(type);
    // The whole stream is in the array, but the caller only owns the first half of it.
    assertThatThrownBy(() -> Decompressor.decompress(type, c, 0, c.length / 2, DATA.length, SECTOR))
        .isInstanceOf(IOException.class);
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"ZLIB", "LZO", "ZSTD"})
  void garbageIsAnIoException(CompressionType type) {
    byte[] junk = new byte[300];
    Arrays.fill(junk, (byte) 0xff);
    assertThatThrownBy(() -> Decompressor.decompress(type, junk, 0, junk.length, 4096, SECTOR))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(type.name().toLowerCase());
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"ZLIB", "LZO", "ZSTD"})
  void emptyInputIsAnIoException(CompressionType type) {
    assertThatThrownBy(() -> Decompressor.decompress(type, new byte[0], 0, 0, 10, SECTOR))
        .isInstanceOf(IOException.class);
  }

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"NONE"})
  void noneCopiesAndZeroFills(CompressionType type) throws IOException {
    byte[] src = {1, 2, 3, 4, 5};
    assertThat(Decompressor.decompress(type, src, 1, 3, 5, SECTOR)).containsExactly(2, 3, 4, 0, 0);
  }

  @org.junit.jupiter.api.Test
  void lzoTotalLengthBeyondTheBufferIsRejected() {
    byte[] c = compressed(CompressionType.LZO);
    assertThatThrownBy(
            () ->
                Decompressor.decompress(
                    CompressionType.LZO, c, 0, c.length - 1, DATA.length, SECTOR))
        // EUCLEAN through FUSE, as the kernel answers for a bad lzo header.
        .isInstanceOf(org.jbtrfs.format.StructureNeedsCleaningException.class)
        .hasMessageContaining("total length");
  }

  @org.junit.jupiter.api.Test
  void lzoOversizedSegmentIsRejected() {
    byte[] c = compressed(CompressionType.LZO);
    c[4] = (byte) 0xff;
    c[5] = (byte) 0xff; // segment length 65535+: larger than any sector can compress to
    assertThatThrownBy(
            () -> Decompressor.decompress(CompressionType.LZO, c, 0, c.length, DATA.length, SECTOR))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("segment length");
  }

  /** Damaged extents must surface as IOException, never as another exception or a hang. */
  @Property(tries = 300)
  void corruptionNeverEscapesAsAnUncheckedException(
      @ForAll("algorithms") CompressionType type,
      @ForAll @IntRange(min = 0, max = 40) int flips,
      @ForAll long seed) {
    byte[] c = compressed(type);
    java.util.Random r = new java.util.Random(seed);
    for (int i = 0; i < flips; i++) {
      c[r.nextInt(c.length)] = (byte) r.nextInt();
    }
    int len = r.nextBoolean() ? c.length : r.nextInt(c.length + 1);
    try {
      byte[] out = Decompressor.decompress(type, c, 0, len, DATA.length, SECTOR);
      assertThat(out).hasSize(DATA.length);
    } catch (IOException expected) {
      assertThat(expected)
          .hasMessageContaining(type == CompressionType.LZO ? "lzo" : type.name().toLowerCase());
    }
  }

  @Provide
  Arbitrary<CompressionType> algorithms() {
    return Arbitraries.of(CompressionType.ZLIB, CompressionType.LZO, CompressionType.ZSTD);
  }
}
