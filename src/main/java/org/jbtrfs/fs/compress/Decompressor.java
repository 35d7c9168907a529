package org.jbtrfs.fs.compress;

import java.io.IOException;
import java.util.Objects;

/** Decodes the payload of a compressed file extent (regular or inline) the way the kernel does. */
public final class Decompressor {
  private Decompressor() {}

  /**
   * Decompresses src[srcOff, srcOff+srcLen) into a new array of exactly decompressedLen bytes.
   * Bytes the stream does not produce stay zero (the kernel zero-fills them too); output beyond
   * decompressedLen is discarded. Trailing bytes after the stream (sector padding) are ignored.
   *
   * @param sectorSize the filesystem sector size; it fixes LZO segment boundaries
   * @throws IOException when the data is corrupt or truncated
   */
  public static byte[] decompress(
      CompressionType type, byte[] src, int srcOff, int srcLen, int decompressedLen, int sectorSize)
      throws IOException {
    Objects.requireNonNull(type, "type");
    Objects.checkFromIndexSize(srcOff, srcLen, src.length);
    if (decompressedLen < 0) {
      throw new IllegalArgumentException("negative decompressed length " + decompressedLen);
    }
    checkSectorSize(sectorSize);
    byte[] out = new byte[decompressedLen];
    try {
      switch (type) {
        case NONE -> System.arraycopy(src, srcOff, out, 0, Math.min(srcLen, decompressedLen));
        case ZLIB -> ZlibCodec.decompress(src, srcOff, srcLen, out);
        case ZSTD -> ZstdCodec.decompress(src, srcOff, srcLen, out);
        case LZO -> LzoCodec.decompress(src, srcOff, srcLen, out, sectorSize);
        default -> throw new IOException("unsupported compression " + type);
      }
    } catch (IOException e) {
      throw e;
    } catch (RuntimeException e) {
      // Codec libraries signal bad input with assorted unchecked exceptions; callers only
      // need to know the extent is unreadable.
      throw new IOException("corrupt " + type + " data: " + e, e);
    }
    return out;
  }

  static void checkSectorSize(int sectorSize) {
    if (sectorSize < 512 || Integer.bitCount(sectorSize) != 1) {
      throw new IllegalArgumentException(
          "sector size " + sectorSize + " is not a power of two >= 512");
    }
  }
}
