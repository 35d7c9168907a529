package org.jbtrfs.volume;

import java.io.IOException;

/**
 * Discards the device bytes behind a free logical range of a chunk (FITRIM inside chunks, as the
 * kernel's btrfs_discard_extent): every copy of every stripe element the range covers, with the
 * pieces that lie end to end on one device merged into one discard. RAID5/6 ranges are left alone,
 * as the kernel leaves them (its discard mapping refuses parity profiles): a discarded data strip
 * would read back as zeros that the row's parity no longer matches.
 */
public final class ChunkDiscard {
  private ChunkDiscard() {}

  /**
   * Discards [logical, logical+len) of chunk {@code c} on {@code devices}; returns the bytes
   * discarded summed over the devices (a RAID1 range counts twice), which is what the kernel
   * reports. Missing devices and devices that cannot discard count nothing.
   */
  public static long discard(ChunkMapping c, DeviceSet devices, long logical, long len)
      throws IOException {
    if (logical < c.logical() || logical + len > c.end()) {
      throw new IllegalArgumentException(
          "discard " + logical + "+" + len + " outside chunk " + c.logical());
    }
    StripeGeometry g = new StripeGeometry(c);
    if (g.profile.hasParity()) return 0;
    Runs runs = new Runs(g, devices);
    // forEachCopy takes int lengths: walk the range a GiB at a time.
    for (long pos = logical; pos < logical + len; ) {
      int n = (int) Math.min(logical + len - pos, 1L << 30);
      g.forEachCopy(
          pos, 0, n, (stripe, physical, bufOff, pieceLen) -> runs.add(stripe, physical, pieceLen));
      pos += n;
    }
    return runs.flushAll();
  }

  /** Per stripe, the device range being gathered: pieces that continue it extend it. */
  private static final class Runs {
    private final StripeGeometry g;
    private final DeviceSet devices;
    private final long[] start;
    private final long[] end;
    private long discarded;

    Runs(StripeGeometry g, DeviceSet devices) {
      this.g = g;
      this.devices = devices;
      this.start = new long[g.numStripes];
      this.end = new long[g.numStripes];
    }

    void add(int stripe, long physical, long len) throws IOException {
      if (end[stripe] != physical) {
        flush(stripe);
        start[stripe] = physical;
      }
      end[stripe] = physical + len;
    }

    long flushAll() throws IOException {
      for (int s = 0; s < start.length; s++) flush(s);
      return discarded;
    }

    private void flush(int stripe) throws IOException {
      long len = end[stripe] - start[stripe];
      if (len <= 0) return;
      var dev = devices.get(g.devid(stripe));
      if (dev != null && dev.discard(start[stripe], len)) discarded += len;
      start[stripe] = end[stripe] = 0;
    }
  }
}
