package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.Cursor;

/**
 * Splits a writeback run into the stretches that go in place and those that copy on write, as the
 * kernel's nocow writeback does: in place into a preallocated extent (any file) or, for a nodatacow
 * file, over a plain (uncompressed, non-inline) regular extent, and only where the file alone
 * references the extent; holes, shared extents and anything past the last extent get new extents.
 */
final class InPlaceRuns {
  /**
   * Pages [from, to) of the run; {@code disk} is where they go in place, or -1: copy on write. An
   * in-place stretch lies in one file extent item, the one at file offset {@code itemOff}, which is
   * {@code prealloc} or regular.
   */
  record Segment(int from, int to, long disk, long itemOff, boolean prealloc) {}

  private InPlaceRuns() {}

  /** {@code overRegular}: the file is nodatacow, so its regular extents may be overwritten too. */
  static List<Segment> split(
      FileTree ft, long ino, long start, int pages, int ps, boolean overRegular)
      throws IOException {
    long end = start + (long) pages * ps;
    long[] disk = new long[pages];
    Arrays.fill(disk, -1);
    long[] item = new long[pages];
    boolean[] prealloc = new boolean[pages];
    Cursor c = ft.tree().readView().seekFloor(new Key(ino, ItemType.EXTENT_DATA, start));
    if (!c.valid() || c.objectId() != ino || c.type() != ItemType.EXTENT_DATA)
      c = ft.tree().readView().seekCeil(new Key(ino, ItemType.EXTENT_DATA, start));
    record Ext(long fileOff, FileExtentItem fe) {}
    List<Ext> exts = new ArrayList<>();
    for (;
        c.valid() && c.objectId() == ino && c.type() == ItemType.EXTENT_DATA && c.offset() < end;
        c.next()) {
      byte[] raw = c.data();
      exts.add(new Ext(c.offset(), FileExtentItem.parse(raw, 0, raw.length)));
    }
    for (Ext x : exts) {
      FileExtentItem fe = x.fe();
      if (!overwritable(fe, overRegular)) continue;
      long s = Math.max(start, x.fileOff());
      long e = Math.min(end, x.fileOff() + fe.numBytes());
      if (s >= e) continue;
      long refOffset = x.fileOff() - fe.offset();
      if (!ft.engine()
          .isExclusiveDataExtent(fe.diskBytenr(), fe.diskNumBytes(), ft.id(), ino, refOffset))
        continue;
      for (long o = s; o < e; o += ps) {
        int k = (int) ((o - start) / ps);
        disk[k] = fe.diskBytenr() + fe.offset() + (o - x.fileOff());
        item[k] = x.fileOff();
        prealloc[k] = fe.type() == FileExtentItem.TYPE_PREALLOC;
      }
    }
    List<Segment> out = new ArrayList<>();
    int from = 0;
    for (int k = 1; k <= pages; k++) {
      boolean breaks =
          k == pages
              || (disk[k] < 0) != (disk[from] < 0)
              || (disk[k] >= 0 && (disk[k] != disk[k - 1] + ps || item[k] != item[k - 1]));
      if (!breaks) continue;
      out.add(new Segment(from, k, disk[from], item[from], prealloc[from]));
      from = k;
    }
    return out;
  }

  private static boolean overwritable(FileExtentItem fe, boolean overRegular) {
    boolean kind =
        fe.type() == FileExtentItem.TYPE_PREALLOC
            || (overRegular && fe.type() == FileExtentItem.TYPE_REG);
    return kind
        && !fe.isHole()
        && fe.compression() == 0
        && fe.encryption() == 0
        && fe.otherEncoding() == 0;
  }
}
