package org.jbtrfs.fs;

import java.io.IOException;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.Cursor;

/**
 * lseek's SEEK_DATA and SEEK_HOLE over a file's extents, as the kernel's btrfs answers them: data
 * is inline and written regular extents; holes are gaps, explicit holes and preallocated
 * (unwritten) extents; the end of the file is a hole. Buffered data the caller must have written
 * back first.
 */
public final class DataSeek {
  /** No data (or hole) at or after the offset: lseek's ENXIO. */
  public static final long NONE = -1;

  private DataSeek() {}

  /** The first offset at or after {@code offset} that is data ({@code data}) or a hole. */
  public static long seek(Node n, InodeItem inode, long offset, boolean data) throws IOException {
    long size = inode.size();
    if (offset < 0 || offset >= size) return NONE;
    long ino = n.ino();
    Subvolume sv = n.subvolume();
    Cursor c = sv.tree().seekFloor(new Key(ino, ItemType.EXTENT_DATA, offset));
    if (!c.valid() || c.objectId() != ino || c.type() != ItemType.EXTENT_DATA) {
      c = sv.tree().seekCeil(new Key(ino, ItemType.EXTENT_DATA, 0));
    }
    // The end of the data run that reaches {@code offset} (a hole then starts there).
    long holeFrom = offset;
    for (; c.valid() && c.objectId() == ino && c.type() == ItemType.EXTENT_DATA; c.next()) {
      long start = c.offset();
      if (start >= size) break;
      FileExtentItem fe = FileExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize());
      long len = fe.isInline() ? Align.up(fe.ramBytes(), sv.fs().sectorSize()) : fe.numBytes();
      long end = Align.endOf(start, len);
      if (end <= offset) continue;
      boolean isData = fe.isInline() || (!fe.isHole() && fe.type() != FileExtentItem.TYPE_PREALLOC);
      if (data) {
        if (isData) return Math.max(offset, start);
        continue;
      }
      if (!isData || start > holeFrom) return Math.min(size, holeFrom);
      holeFrom = end;
    }
    return data ? NONE : Math.min(size, holeFrom);
  }
}
