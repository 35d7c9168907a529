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

  private static void checkPowerOfTwo(long alignment) {
    if (alignment <= 0 || (alignment & (alignment - 1)) != 0) {
      throw new IllegalArgumentException("alignment must be a power of two: " + alignment);
    }
  }
}
