package org.jbtrfs.extent;

import java.util.Map;
import java.util.TreeMap;

/** Free ranges of one block group (start -> length), kept merged and non-overlapping. */
public final class FreeSpaceMap {
  private final TreeMap<Long, Long> ranges = new TreeMap<>();
  private long total;
  private java.util.function.LongConsumer onChange = d -> {};

  /** Reports the free bytes there are now, then every change of them, to {@code l}. */
  public void observe(java.util.function.LongConsumer l) {
    onChange = l;
    if (total != 0) l.accept(total);
  }

  public void add(long start, long len) {
    if (len <= 0) return;
    long end = start + len;
    Map.Entry<Long, Long> below = ranges.floorEntry(start);
    if (below != null && below.getKey() + below.getValue() > start) {
      throw new IllegalStateException(
          "freeing " + start + "+" + len + ", already free at " + below.getKey());
    }
    Map.Entry<Long, Long> above = ranges.ceilingEntry(start);
    if (above != null && above.getKey() < end) {
      throw new IllegalStateException(
          "freeing " + start + "+" + len + ", already free at " + above.getKey());
    }
    total += len;
    onChange.accept(len);
    if (below != null && below.getKey() + below.getValue() == start) {
      start = below.getKey();
      ranges.remove(start);
    }
    if (above != null && above.getKey() == end) {
      end += above.getValue();
      ranges.remove(above.getKey());
    }
    ranges.put(start, end - start);
  }

  /** Marks [start, start+len) used; it must currently be free. */
  public void remove(long start, long len) {
    Map.Entry<Long, Long> e = ranges.floorEntry(start);
    if (e == null || e.getKey() + e.getValue() < start + len) {
      throw new IllegalStateException("range " + start + "+" + len + " is not free");
    }
    long fs = e.getKey();
    long fe = fs + e.getValue();
    ranges.remove(fs);
    if (fs < start) ranges.put(fs, start - fs);
    if (start + len < fe) ranges.put(start + len, fe - start - len);
    total -= len;
    onChange.accept(-len);
  }

  public boolean isFree(long start, long len) {
    Map.Entry<Long, Long> e = ranges.floorEntry(start);
    return e != null && e.getKey() + e.getValue() >= start + len;
  }

  /** The first free start (aligned) with room for {@code len} bytes, or -1. */
  public long findFirstFit(long len, long align, long hint) {
    Long from = ranges.floorKey(hint);
    for (Map.Entry<Long, Long> e :
        ranges.tailMap(from == null ? Long.MIN_VALUE : from, true).entrySet()) {
      long start = Math.max(e.getKey(), hint);
      long aligned = (start + align - 1) / align * align;
      if (aligned + len <= e.getKey() + e.getValue()) return aligned;
    }
    if (hint > 0) return findFirstFit(len, align, 0);
    return -1;
  }

  /** The largest free range, for allocations that may be split. */
  public long largest() {
    long max = 0;
    for (long l : ranges.values()) max = Math.max(max, l);
    return max;
  }

  public long totalFree() {
    return total;
  }

  public java.util.NavigableMap<Long, Long> ranges() {
    return ranges;
  }
}
