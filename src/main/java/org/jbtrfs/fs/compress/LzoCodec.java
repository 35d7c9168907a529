package org.jbtrfs.fs.compress;

import io.airlift.compress.lzo.LzoCompressor;
import io.airlift.compress.lzo.LzoDecompressor;
import java.io.IOException;

/**
 * LZO with btrfs' own framing (fs/btrfs/lzo.c):
 *
 * <pre>
 *   [u32 LE total length, counting this header and any padding]
 *   repeated: [u32 LE segment length][segment: raw LZO1X of one sector of input]
 * </pre>
 *
 * A segment header never crosses a sector boundary: when fewer than 4 bytes remain in the current
 * sector after a segment, they are zero padding and the next header starts at the next sector. Each
 * segment decodes to at most one sector.
 */
final class LzoCodec {
  static final int LEN_BYTES = 4;

  private static final ThreadLocal<LzoCompressor> COMPRESSOR =
      ThreadLocal.withInitial(LzoCompressor::new);

  private LzoCodec() {}

  /** lzo1x_worst_compress(): the largest valid LZO1X output for n input bytes. */
  static int worstCompressed(int n) {
    return n + n / 16 + 64 + 3;
  }

  static void decompress(byte[] src, int off, int len, byte[] out, int sectorSize)
      throws IOException {
    if (len < LEN_BYTES) {
      throw new IOException("lzo data too short for its header: " + len + " bytes");
    }
    long total = readLe32(src, off);
    if (total < LEN_BYTES || total > len) {
      // The kernel's lzo_decompress checks this header first and answers EUCLEAN.
      throw new org.jbtrfs.format.StructureNeedsCleaningException(
          "lzo total length " + total + " outside [4, " + len + "]");
    }
    int end = (int) total;
    byte[] sector = new byte[sectorSize];
    LzoDecompressor lzo = new LzoDecompressor();
    int cur = LEN_BYTES; // relative to off; the compressed data starts sector-aligned on disk
    int outPos = 0;
    while (cur < end && outPos < out.length) {
      if (end - cur < LEN_BYTES) {
        throw new IOException("lzo segment header truncated at offset " + cur);
      }
      long segLen = readLe32(src, off + cur);
      cur += LEN_BYTES;
      if (segLen > worstCompressed(sectorSize) || segLen > end - cur) {
        throw new IOException(
            "lzo segment length "
                + segLen
                + " at offset "
                + (cur - LEN_BYTES)
                + " is invalid (total "
                + end
                + ")");
      }
      int produced;
      try {
        produced = lzo.decompress(src, off + cur, (int) segLen, sector, 0, sectorSize);
      } catch (RuntimeException e) { // MalformedInputException and bounds errors
        throw new IOException(
            "corrupt lzo segment at offset " + (cur - LEN_BYTES) + ": " + e.getMessage(), e);
      }
      int n = Math.min(produced, out.length - outPos);
      System.arraycopy(sector, 0, out, outPos, n);
      outPos += n;
      cur += (int) segLen;
      int sectorLeft = sectorSize - cur % sectorSize;
      if (sectorLeft < LEN_BYTES) {
        cur += sectorLeft; // zero padding: the next header starts in the next sector
      }
    }
  }

  static byte[] compress(byte[] src, int off, int len, int sectorSize) {
    int sectors = (len + sectorSize - 1) / sectorSize;
    byte[] buf =
        new byte[LEN_BYTES + sectors * (LEN_BYTES + worstCompressed(sectorSize) + LEN_BYTES)];
    LzoCompressor lzo = COMPRESSOR.get();
    int cur = LEN_BYTES;
    for (int in = 0; in < len; in += sectorSize) {
      int chunk = Math.min(sectorSize, len - in);
      int n = lzo.compress(src, off + in, chunk, buf, cur + LEN_BYTES, worstCompressed(chunk));
      writeLe32(buf, cur, n);
      cur += LEN_BYTES + n;
      int sectorLeft = sectorSize - cur % sectorSize;
      if (sectorLeft < LEN_BYTES) {
        cur += sectorLeft; // buf is zero-filled, so the padding is already zeros
      }
    }
    writeLe32(buf, 0, cur);
    return java.util.Arrays.copyOf(buf, cur);
  }

  private static long readLe32(byte[] b, int p) {
    return (b[p] & 0xffL)
        | (b[p + 1] & 0xffL) << 8
        | (b[p + 2] & 0xffL) << 16
        | (b[p + 3] & 0xffL) << 24;
  }

  private static void writeLe32(byte[] b, int p, int v) {
    b[p] = (byte) v;
    b[p + 1] = (byte) (v >>> 8);
    b[p + 2] = (byte) (v >>> 16);
    b[p + 3] = (byte) (v >>> 24);
  }
}
