package org.jbtrfs.format;

/**
 * The one place that rounds to a power-of-two alignment. All arithmetic is on {@code long} so that
 * values past 4 GiB never lose their high bits to an {@code int} mask.
 */
public final class Align {
  private Align() {}

  public static long down(long value, long alignment) {
    checkPowerOfTwo(alignment);
    return value & -alignment;
  }

  public static long up(long value, long alignment) {
    checkPowerOfTwo(alignment);
    return Math.addExact(value, alignment - 1) & -alignment;
  }

  public static boolean isAligned(long value, long alignment) {
    checkPowerOfTwo(alignment);
    return (value & (alignment - 1)) == 0;
  }

  /**
   * The exclusive end of {@code len} bytes of a file at {@code start}, saturated at {@link
   * Long#MAX_VALUE}. A file holds at most 2^63-1 bytes (the kernel's MAX_LFS_FILESIZE), so no byte
   * lies at or past 2^63-1 and the saturated end covers every byte the exact end (up to 2^63, which
   * a {@code long} cannot hold) would: the range of the last page, say, stays non-empty.
   */
  public static long endOf(long start, long len) {
    long end = start + len;
    return end < start ? Long.MAX_VALUE : end;
  }

  /** {@code value} rounded up to the alignment, saturated as in {@link #endOf}: for ends only. */
  public static long upToEnd(long value, long alignment) {
    checkPowerOfTwo(alignment);
    long up = (value + alignment - 1) & -alignment;
    return up < value ? Long.MAX_VALUE : up;
  }

  /** How many {@code alignment}-sized units cover {@code value} bytes (value >= 0). */
  public static long units(long value, long alignment) {
    checkPowerOfTwo(alignment);
    return value / alignment + ((value & (alignment - 1)) == 0 ? 0 : 1);
  }

  private static void checkPowerOfTwo(long alignment) {
    if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
      throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
    }
  }
}
