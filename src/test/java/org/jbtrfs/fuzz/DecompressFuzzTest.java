package org.jbtrfs.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.fs.compress.Compressor;
import org.jbtrfs.fs.compress.Decompressor;

/**
 * The codecs of compressed extents: zlib streams, btrfs' LZO framing (total length, per-sector
 * segments, padding) and zstd frames. Why: a compressed extent's bytes and its declared size both
 * come from the image, and a decoder loop that makes no progress, or a length taken on trust, is a
 * hang or an out-of-memory.
 */
class DecompressFuzzTest {
  private static final CompressionType[] CODECS = {
    CompressionType.ZLIB, CompressionType.LZO, CompressionType.ZSTD
  };

  /** Larger than any extent (128 KiB), so the declared size can be a lie in both directions. */
  private static final int MAX_DECLARED = 1 << 20;

  /**
   * Input: [u8 codec][u8 sector size 4 KiB << n][u32 declared length][compressed bytes]. Clean
   * rejection is an IOException; the output must have exactly the declared length. Seeds: a valid
   * frame of each codec (scripts/make-fuzz-seeds).
   */
  @InputTimeLimit(seconds = 10)
  @FuzzTest(maxDuration = "5m")
  void decompress(byte[] input) {
    InputReader in = new InputReader(input);
    CompressionType type = CODECS[in.u8() % CODECS.length];
    int sectorSize = 4096 << (in.u8() % 5);
    int declared = (int) (in.u32() % (MAX_DECLARED + 1));
    byte[] src = in.rest();
    try {
      byte[] out = Decompressor.decompress(type, src, 0, src.length, declared, sectorSize);
      if (out.length != declared) {
        throw new AssertionError(type + " gave " + out.length + " bytes, not " + declared);
      }
    } catch (IOException refused) {
      // corrupt or truncated data, reported as such
    }
  }

  /**
   * Input: [u8 codec][u8 level][data]. What the writer compresses must decompress to the same
   * bytes: a difference would be silent wrong data in every file written compressed.
   */
  @InputTimeLimit(seconds = 10)
  @FuzzTest(maxDuration = "5m")
  void roundTrip(byte[] input) throws IOException {
    InputReader in = new InputReader(input);
    CompressionType type = CODECS[in.u8() % CODECS.length];
    int level = in.u8() % 16;
    byte[] data = in.rest();
    byte[] packed = Compressor.compress(type, level, data, 0, data.length, 4096);
    if (packed == null) return; // not worth storing compressed: written plain
    byte[] back = Decompressor.decompress(type, packed, 0, packed.length, data.length, 4096);
    if (!Arrays.equals(back, data)) {
      throw new AssertionError(type + " level " + level + " does not round-trip");
    }
  }
}
