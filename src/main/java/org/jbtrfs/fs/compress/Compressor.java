package org.jbtrfs.fs.compress;

import java.util.Objects;

/** Produces compressed extent payloads in the format the kernel writes and reads. */
public final class Compressor {
  private Compressor() {}

  /**
   * Compresses src[off, off+len): a zlib stream, a zstd frame (window at most 128 KiB) or
   * btrfs-framed LZO with one segment per sector.
   *
   * @param level 0 for the default (zlib 3, zstd 3); out-of-range levels are clamped as the kernel
   *     does; ignored for LZO
   * @return the compressed bytes, or null when they would not be smaller than len rounded up to
   *     sectorSize (not worth storing compressed). A regular extent additionally only pays off when
   *     {@link #savesSector} holds; the kernel checks that before writing one.
   */
  public static byte[] compress(
      CompressionType type, int level, byte[] src, int off, int len, int sectorSize) {
    Objects.requireNonNull(type, "type");
    Objects.checkFromIndexSize(off, len, src.length);
    Decompressor.checkSectorSize(sectorSize);
    byte[] out =
        switch (type) {
          case ZLIB -> ZlibCodec.compress(level, src, off, len);
          case ZSTD -> ZstdCodec.compress(level, src, off, len);
          case LZO -> LzoCodec.compress(src, off, len, sectorSize);
          case NONE -> throw new IllegalArgumentException("NONE is not a compression algorithm");
        };
    return out.length < roundUp(len, sectorSize) ? out : null;
  }

  /**
   * The kernel's final test for a regular (non-inline) compressed extent: after rounding both sizes
   * up to whole sectors, compression must save at least one sector.
   */
  public static boolean savesSector(int compressedLen, int len, int sectorSize) {
    return roundUp(compressedLen, sectorSize) + (long) sectorSize <= roundUp(len, sectorSize);
  }

  private static long roundUp(long n, int sectorSize) {
    return (n + sectorSize - 1) / sectorSize * sectorSize;
  }
}
