package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;

/**
 * Makes room in a file's extent map for new data at [start, end), like the kernel's
 * btrfs_drop_extents: items fully inside go away (dropping their data references), items straddling
 * an edge are trimmed, and an item covering the whole range is split in two (both halves keep
 * referencing the same disk extent, one more reference).
 */
public final class ExtentRangeDropper {
  private final FileTree ft;

  public ExtentRangeDropper(FileTree ft) {
    this.ft = ft;
  }

  /** Returns how many bytes of the inode's nbytes the removed parts accounted for. */
  public long drop(long ino, long start, long end) throws IOException {
    record Ext(long fileOff, byte[] raw) {}
    WritableTree t = ft.tree();
    List<Ext> exts = new ArrayList<>();
    Cursor c = t.readView().seekFloor(new Key(ino, ItemType.EXTENT_DATA, start));
    if (!c.valid() || c.objectId() != ino || c.type() != ItemType.EXTENT_DATA) {
      c = t.readView().seekCeil(new Key(ino, ItemType.EXTENT_DATA, 0));
    }
    for (;
        c.valid() && c.objectId() == ino && c.type() == ItemType.EXTENT_DATA && c.offset() < end;
        c.next()) {
      exts.add(new Ext(c.offset(), c.data()));
    }
    long released = 0;
    for (Ext x : exts) {
      FileExtentItem fe = FileExtentItem.parse(x.raw(), 0, x.raw().length);
      long s = x.fileOff();
      long e = Align.endOf(s, fe.isInline() ? fe.ramBytes() : fe.numBytes());
      if (e <= start || s >= end) continue;
      Key key = new Key(ino, ItemType.EXTENT_DATA, s);
      boolean counted = !fe.isHole();
      long refOffset = s - fe.offset();
      if (fe.isInline()) {
        // Inline data cannot be cut; callers rewrite the whole first page, which covers it.
        t.delete(key);
        released += fe.inlineDataSize();
        continue;
      }
      if (s >= start && e <= end) {
        t.delete(key);
        if (counted) {
          released += fe.numBytes();
          ft.engine()
              .refs()
              .dropDataRef(fe.diskBytenr(), fe.diskNumBytes(), ft.id(), ino, refOffset);
        }
      } else if (s < start && e > end) {
        t.put(key, fe.encodeRange(fe.generation(), fe.offset(), start - s));
        t.insert(
            new Key(ino, ItemType.EXTENT_DATA, end),
            fe.encodeRange(fe.generation(), fe.offset() + (end - s), e - end));
        if (counted) {
          released += end - start;
          ft.engine()
              .refs()
              .addDataRef(fe.diskBytenr(), fe.diskNumBytes(), ft.id(), ino, refOffset, false);
        }
      } else if (s < start) {
        t.put(key, fe.encodeRange(fe.generation(), fe.offset(), start - s));
        if (counted) released += e - start;
      } else {
        t.delete(key);
        t.insert(
            new Key(ino, ItemType.EXTENT_DATA, end),
            fe.encodeRange(fe.generation(), fe.offset() + (end - s), e - end));
        if (counted) released += end - s;
      }
    }
    return released;
  }
}
