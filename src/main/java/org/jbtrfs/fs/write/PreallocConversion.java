package org.jbtrfs.fs.write;

import java.io.IOException;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;

/**
 * Marks part of a preallocated extent written (the kernel's btrfs_mark_extent_written): the file
 * extent item is cut into the preallocated part before, the regular part written and the
 * preallocated part after, each piece one more reference to the same disk extent under the same
 * (root, inode, offset) key; a written piece that continues a neighbouring regular piece of the
 * same extent is merged into it, so a preallocated file written bit by bit does not end up with an
 * item per write. The inode's nbytes already counted the preallocation and stays as it is.
 */
final class PreallocConversion {
  private final FileTree ft;

  PreallocConversion(FileTree ft) {
    this.ft = ft;
  }

  /** [start, end) of the prealloc item at file offset {@code itemOff} now holds data. */
  void written(long ino, long itemOff, long start, long end) throws IOException {
    WritableTree t = ft.tree();
    Key itemKey = new Key(ino, ItemType.EXTENT_DATA, itemOff);
    byte[] raw = t.get(itemKey);
    FileExtentItem fe = FileExtentItem.parse(raw, 0, raw.length);
    if (fe.type() != FileExtentItem.TYPE_PREALLOC
        || start < itemOff
        || end > itemOff + fe.numBytes())
      throw new IllegalStateException(
          "inode " + ino + ": no preallocated extent at " + itemOff + " covering " + start);
    long itemEnd = itemOff + fe.numBytes();
    long refOffset = itemOff - fe.offset();
    int pieces = 0;
    if (start > itemOff) {
      t.put(
          itemKey,
          piece(fe, fe.generation(), FileExtentItem.TYPE_PREALLOC, itemOff, itemOff, start));
      pieces++;
    } else {
      t.delete(itemKey);
    }
    if (end < itemEnd) {
      t.insert(
          new Key(ino, ItemType.EXTENT_DATA, end),
          piece(fe, fe.generation(), FileExtentItem.TYPE_PREALLOC, itemOff, end, itemEnd));
      pieces++;
    }
    long regStart = start;
    long regEnd = end;
    // A regular piece of the same extent just before or after takes the written range in.
    Key prevKey = neighbourBefore(ino, start);
    if (prevKey != null) {
      FileExtentItem prev = item(prevKey);
      if (prevKey.offset() + prev.numBytes() == start
          && sameExtent(prev, prevKey.offset(), fe, itemOff)) {
        t.delete(prevKey);
        regStart = prevKey.offset();
        pieces--;
      }
    }
    Key nextKey = new Key(ino, ItemType.EXTENT_DATA, end);
    byte[] nextRaw = end < itemEnd ? null : t.get(nextKey);
    if (nextRaw != null) {
      FileExtentItem next = FileExtentItem.parse(nextRaw, 0, nextRaw.length);
      if (sameExtent(next, end, fe, itemOff)) {
        t.delete(nextKey);
        regEnd = end + next.numBytes();
        pieces--;
      }
    }
    t.insert(
        new Key(ino, ItemType.EXTENT_DATA, regStart),
        piece(fe, ft.transid(), FileExtentItem.TYPE_REG, itemOff, regStart, regEnd));
    pieces++;
    // The prealloc item held one reference; now `pieces` items do.
    for (; pieces > 1; pieces--)
      ft.engine()
          .refs()
          .addDataRef(fe.diskBytenr(), fe.diskNumBytes(), ft.id(), ino, refOffset, false);
    for (; pieces < 1; pieces++)
      ft.engine().refs().dropDataRef(fe.diskBytenr(), fe.diskNumBytes(), ft.id(), ino, refOffset);
  }

  /**
   * The piece [from, to) of the file of extent {@code fe}, whose item starts at {@code itemOff}.
   */
  private static byte[] piece(
      FileExtentItem fe, long generation, int type, long itemOff, long from, long to) {
    return FileExtentItem.encodeRegular(
        generation,
        fe.ramBytes(),
        0,
        type,
        fe.diskBytenr(),
        fe.diskNumBytes(),
        fe.offset() + (from - itemOff),
        to - from);
  }

  /**
   * Whether {@code x} (the item at file offset {@code xOff}) is a plain regular piece of the extent
   * of {@code fe} (at {@code feOff}) placed as the same reference: the two join without a seam.
   */
  private static boolean sameExtent(FileExtentItem x, long xOff, FileExtentItem fe, long feOff) {
    return x.type() == FileExtentItem.TYPE_REG
        && x.compression() == 0
        && x.encryption() == 0
        && x.otherEncoding() == 0
        && x.diskBytenr() == fe.diskBytenr()
        && x.diskNumBytes() == fe.diskNumBytes()
        && xOff - x.offset() == feOff - fe.offset();
  }

  private Key neighbourBefore(long ino, long start) throws IOException {
    if (start == 0) return null;
    Cursor c = ft.tree().readView().seekFloor(new Key(ino, ItemType.EXTENT_DATA, start - 1));
    if (!c.valid() || c.objectId() != ino || c.type() != ItemType.EXTENT_DATA) return null;
    return new Key(ino, ItemType.EXTENT_DATA, c.offset());
  }

  private FileExtentItem item(Key k) throws IOException {
    byte[] raw = ft.tree().get(k);
    return FileExtentItem.parse(raw, 0, raw.length);
  }
}
