package org.jbtrfs.fs.write;

import org.jbtrfs.space.MetadataCost;

/**
 * What a write into [off, end) adds to a file's buffered data: the bytes of pages not buffered yet,
 * and how many more file extents the buffered ranges become (a fresh run next to buffered pages
 * extends their extent; one joining two runs merges them).
 */
final class FreshPages {
  private FreshPages() {}

  /** {bytes of fresh pages, change in file extents (never below 0)}. */
  static long[] count(DirtyPages dp, long ino, long off, long end) {
    int ps = dp.pageSize();
    long bytes = 0;
    long extents = 0;
    long first = off / ps;
    long last = (end - 1) / ps;
    long runStart = -1;
    for (long idx = first; idx <= last + 1; idx++) {
      boolean fresh = idx <= last && dp.page(ino, idx) == null;
      if (fresh) {
        bytes += ps;
        if (runStart < 0) runStart = idx;
      } else if (runStart >= 0) {
        boolean joinsLeft = runStart > 0 && dp.page(ino, runStart - 1) != null;
        boolean joinsRight = dp.page(ino, idx) != null;
        extents += MetadataCost.maxExtents((idx - runStart) * (long) ps);
        extents -= (joinsLeft ? 1 : 0) + (joinsRight ? 1 : 0);
        runStart = -1;
      }
    }
    return new long[] {bytes, Math.max(0, extents)};
  }
}
