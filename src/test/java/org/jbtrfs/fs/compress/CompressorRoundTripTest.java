package org.jbtrfs.fs.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

class CompressorRoundTripTest {
  private static final int SECTOR = 4096;

  @Property(tries = 60)
  void compressedDataDecodesToTheInput(
      @ForAll("algorithms") CompressionType type,
      @ForAll("payloads") byte[] data,
      @ForAll @IntRange(min = 0, max = 9) int level)
      throws IOException {
    byte[] c = Compressor.compress(type, level, data, 0, data.length, SECTOR);
    if (c == null) {
      return; // not worth compressing: nothing to decode
    }
    assertThat(c.length).isLessThan(roundUp(data.length));
    assertThat(Decompressor.decompress(type, c, 0, c.length, data.length, SECTOR)).isEqualTo(data);
  }

  @Property(tries = 30)
  void sectorPaddingAfterTheStreamIsIgnored(
      @ForAll("algorithms") CompressionType type, @ForAll("payloads") byte[] data)
      throws IOException {
    byte[] c = Compressor.compress(type, 0, data, 0, data.length, SECTOR);
    if (c == null) {
      return;
    }
    byte[] onDisk = java.util.Arrays.copyOf(c, roundUp(c.length)); // what a regular extent holds
    assertThat(Decompressor.decompress(type, onDisk, 0, onDisk.length, data.length, SECTOR))
        .isEqualTo(data);
  }

  @Property(tries = 30)
  void honoursOffsetsOnBothSides(
      @ForAll("algorithms") CompressionType type,
      @ForAll("payloads") byte[] data,
      @ForAll @IntRange(min = 1, max = 50) int pad)
      throws IOException {
    byte[] framed = new byte[data.length + 2 * pad];
    java.util.Arrays.fill(framed, (byte) 0x7f);
    System.arraycopy(data, 0, framed, pad, data.length);
    byte[] c = Compressor.compress(type, 0, framed, pad, data.length, SECTOR);
    if (c == null) {
      return;
    }
    byte[] src = new byte[c.length + 2 * pad];
    java.util.Arrays.fill(src, (byte) 0x55);
    System.arraycopy(c, 0, src, pad, c.length);
    assertThat(Decompressor.decompress(type, src, pad, c.length, data.length, SECTOR))
        .isEqualTo(data);
  }

  @Property(tries = 20)
  void incompressibleDataIsRefused(
      @ForAll("algorithms") CompressionType type,
      @ForAll @IntRange(min = 1, max = 64) int sectors) {
    byte[] noise = new byte[sectors * SECTOR];
    new java.util.Random(sectors).nextBytes(noise);
    assertThat(Compressor.compress(type, 0, noise, 0, noise.length, SECTOR)).isNull();
  }

  @Property(tries = 20)
  void lzoUsesOneSegmentPerSector(@ForAll @IntRange(min = 1, max = 32) int sectors)
      throws IOException {
    byte[] data = KernelExtents.text(sectors * SECTOR - 100, sectors);
    byte[] c = Compressor.compress(CompressionType.LZO, 0, data, 0, data.length, SECTOR);
    assertThat(c).isNotNull();
    assertThat(le32(c, 0)).isEqualTo(c.length);
    int segments = 0;
    for (int cur = 4; cur < c.length; segments++) {
      assertThat(cur / SECTOR).as("header inside one sector").isEqualTo((cur + 3) / SECTOR);
      cur += 4 + le32(c, cur);
      if (SECTOR - cur % SECTOR < 4) {
        cur += SECTOR - cur % SECTOR;
      }
    }
    assertThat(segments).isEqualTo(sectors);
  }

  @Provide
  Arbitrary<CompressionType> algorithms() {
    return Arbitraries.of(CompressionType.ZLIB, CompressionType.LZO, CompressionType.ZSTD);
  }

  /**
   * Mixes random bytes with repetitive runs so both compressible and incompressible parts occur.
   */
  @Provide
  Arbitrary<byte[]> payloads() {
    Arbitrary<Integer> length =
        Arbitraries.integers()
            .between(0, 3 * 128 * 1024 / 2)
            .shrinkTowards(0)
            .edgeCases(c -> c.includeOnly(0, 1, 4095, 4096, 4097, 131072));
    Arbitrary<Long> seed = Arbitraries.longs();
    Arbitrary<Integer> entropy = Arbitraries.integers().between(0, 8);
    return Combinators.combine(length, seed, entropy)
        .as(
            (len, s, bits) -> {
              java.util.Random r = new java.util.Random(s);
              byte[] b = new byte[len];
              int mask = (1 << bits) - 1;
              for (int i = 0; i < len; i++) {
                b[i] = (byte) (bits == 8 ? r.nextInt() : 'a' + (r.nextInt() & mask));
              }
              return b;
            });
  }

  private static int roundUp(int n) {
    return (n + SECTOR - 1) / SECTOR * SECTOR;
  }

  private static int le32(byte[] b, int p) {
    return (b[p] & 0xff)
        | (b[p + 1] & 0xff) << 8
        | (b[p + 2] & 0xff) << 16
        | (b[p + 3] & 0xff) << 24;
  }
}
