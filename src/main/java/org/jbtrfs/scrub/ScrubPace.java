package org.jbtrfs.scrub;

/**
 * A scrub's rate limit, as the kernel's scrub_speed_max: after each step, how long to wait so that
 * the bytes read since the pace started stay at or below the limit on average.
 */
public final class ScrubPace {
  private final long bytesPerSecond;
  private final long startNanos = System.nanoTime();
  private long bytes;

  /** {@code bytesPerSecond} 0: no limit. */
  public ScrubPace(long bytesPerSecond) {
    this.bytesPerSecond = Math.max(0, bytesPerSecond);
  }

  public long limit() {
    return bytesPerSecond;
  }

  /** Counts {@code more} bytes read and returns the nanoseconds to wait before the next step. */
  public long after(long more) {
    bytes += more;
    if (bytesPerSecond == 0) return 0;
    long due = (long) (bytes * 1e9 / bytesPerSecond);
    return Math.max(0, due - (System.nanoTime() - startNanos));
  }
}
