package org.jbtrfs.extent;

import java.util.Map;

/**
 * Where new data may go in a RAID5/6 block group so that there is no write hole: only in rows (full
 * stripes) that hold nothing, or that were first written in the running transaction. A row that
 * holds data an earlier transaction committed is never written again until all of that data is
 * freed, so a crash in the middle of updating a row (data strip written, parity not yet, or the
 * reverse) can only leave the running transaction's data, which no commit refers to, without
 * parity; what was committed before keeps a parity that matches it, and survives the loss of a
 * device. The kernel instead fills free gaps of rows that hold committed data, rewriting their
 * parity in place, which is what loses that data when a crash and then a missing device meet.
 *
 * <p>The price is space: the free tail of a row that a transaction half filled waits until the row
 * empties (its data freed by later copy-on-write) before it is used again.
 */
final class CleanRows {
  private CleanRows() {}

  /** Whether row {@code row} of the group may take new data now. */
  private static boolean clean(BlockGroup bg, long row) {
    if (bg.openRows().get((int) row)) return true;
    return bg.free().isFree(bg.start() + row * bg.rowBytes(), bg.rowBytes());
  }

  private static long rowOf(BlockGroup bg, long logical) {
    return (logical - bg.start()) / bg.rowBytes();
  }

  /**
   * The first start at or after {@code hint} (then from the group's start), aligned to {@code
   * align}, where {@code len} free bytes lie in clean rows only; -1 when there is none.
   */
  static long findFit(BlockGroup bg, long len, long align, long hint) {
    long rb = bg.rowBytes();
    Long from = bg.free().ranges().floorKey(hint);
    for (Map.Entry<Long, Long> e :
        bg.free().ranges().tailMap(from == null ? Long.MIN_VALUE : from, true).entrySet()) {
      long fs = Math.max(e.getKey(), hint);
      long fe = e.getKey() + e.getValue();
      if (fs >= fe) continue;
      // A range's first and last rows may be shared with data; the rows between are all free.
      if (!clean(bg, rowOf(bg, fs))) fs = bg.start() + (rowOf(bg, fs) + 1) * rb;
      long lastRow = rowOf(bg, fe - 1);
      long lastRowStart = bg.start() + lastRow * rb;
      if (fe < lastRowStart + rb && !clean(bg, lastRow)) fe = lastRowStart;
      long aligned = (fs + align - 1) / align * align;
      if (aligned + len <= fe) return aligned;
    }
    return hint > bg.start() ? findFit(bg, len, align, bg.start()) : -1;
  }

  /** The rows [start, start+len) touches now belong to the running transaction. */
  static void open(BlockGroup bg, long start, long len) {
    int first = (int) rowOf(bg, start);
    int last = (int) rowOf(bg, start + len - 1);
    bg.openRows().set(first, last + 1);
  }

  /** A commit is on disk: every row written so far holds committed data now. */
  static void closeAll(BlockGroup bg) {
    bg.openRows().clear();
  }
}
