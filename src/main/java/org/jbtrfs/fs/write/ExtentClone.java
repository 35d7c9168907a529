package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.Cursor;

/**
 * Shares a range of one file's extents with another file (a reflink), as the kernel's btrfs_clone:
 * the destination's extents in the range go, and for each source extent in it the destination gets
 * a file extent item pointing at the same disk extent (one more data reference, keyed by the
 * destination), so the copy takes no data space and writing either file later copies only what it
 * changes. The files may be in different subvolumes of the filesystem.
 */
public final class ExtentClone {
  /** Extents shared per call: bounds the tree items one change touches (its reservation). */
  public static final int MAX_EXTENTS = 16;

  /** Tree items one call may change: the extents, the items dropped, both inodes. */
  public static final int RESERVED_ITEMS = 2 * MAX_EXTENTS + 8;

  private final FileTree src;
  private final FileTree dst;

  public ExtentClone(FileTree src, FileTree dst) {
    this.src = src;
    this.dst = dst;
  }

  /**
   * Whether [srcOff, srcOff+len) of {@code srcIno} can be shared at {@code dstOff} of {@code
   * dstIno}: offsets on sector boundaries, the length too unless the range ends at the source's
   * end, no inline extent on either side, and both files alike in checksumming (the kernel refuses
   * to mix nodatasum and checksummed data). Otherwise the caller copies the bytes.
   */
  public boolean canShare(long srcIno, long srcOff, long dstIno, long dstOff, long len)
      throws IOException {
    int sector = src.engine().fs().sectorSize();
    InodeItem s = src.inode(srcIno);
    InodeItem d = dst.inode(dstIno);
    if (s == null || d == null || len <= 0) return false;
    boolean endsAtEof = srcOff + len == s.size();
    if (srcOff % sector != 0 || dstOff % sector != 0 || (len % sector != 0 && !endsAtEof)) {
      return false;
    }
    // A partial last block may only land where it also becomes the destination's end.
    if (len % sector != 0 && dstOff + len < d.size()) return false;
    if (s.isNoDataSum() != d.isNoDataSum()) return false;
    return !hasInline(src, srcIno) && !hasInline(dst, dstIno);
  }

  /**
   * Shares the range (after {@link #canShare}); returns the bytes done, which is less than {@code
   * len} when the range has more than {@link #MAX_EXTENTS} extents (the caller asks again).
   */
  public long share(long srcIno, long srcOff, long dstIno, long dstOff, long len)
      throws IOException {
    int sector = src.engine().fs().sectorSize();
    long srcEnd = Align.up(srcOff + len, sector);
    record Piece(long fileOff, FileExtentItem fe) {}
    List<Piece> pieces = new ArrayList<>();
    Cursor c = src.tree().readView().seekFloor(new Key(srcIno, ItemType.EXTENT_DATA, srcOff));
    if (!c.valid() || c.objectId() != srcIno || c.type() != ItemType.EXTENT_DATA) {
      c = src.tree().readView().seekCeil(new Key(srcIno, ItemType.EXTENT_DATA, 0));
    }
    for (;
        c.valid()
            && c.objectId() == srcIno
            && c.type() == ItemType.EXTENT_DATA
            && c.offset() < srcEnd;
        c.next()) {
      FileExtentItem fe = FileExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize());
      if (Align.endOf(c.offset(), fe.numBytes()) <= srcOff || fe.isHole()) continue;
      if (pieces.size() == MAX_EXTENTS) {
        srcEnd = Math.max(srcOff + sector, c.offset());
        break;
      }
      pieces.add(new Piece(c.offset(), fe));
    }
    long done = Math.min(len, srcEnd - srcOff);
    long dstEnd = dstOff + (srcEnd - srcOff);
    long released = new ExtentRangeDropper(dst).drop(dstIno, dstOff, dstEnd);
    long added = 0;
    long pos = srcOff;
    for (Piece p : pieces) {
      FileExtentItem fe = p.fe();
      long from = Math.max(p.fileOff(), srcOff);
      long to = Math.min(Align.endOf(p.fileOff(), fe.numBytes()), srcEnd);
      if (from > pos) explicitHole(dstIno, dstOff + (pos - srcOff), from - pos);
      long at = dstOff + (from - srcOff);
      long offset = fe.offset() + (from - p.fileOff());
      dst.tree()
          .put(
              new Key(dstIno, ItemType.EXTENT_DATA, at),
              fe.encodeRange(dst.transid(), offset, to - from));
      // Data references are keyed by where the extent's start would be in the file.
      dst.engine()
          .refs()
          .addDataRef(fe.diskBytenr(), fe.diskNumBytes(), dst.id(), dstIno, at - offset, false);
      added += to - from;
      pos = to;
    }
    if (pos < srcEnd) explicitHole(dstIno, dstOff + (pos - srcOff), srcEnd - pos);
    InodeItem d = dst.inode(dstIno);
    long oldEnd = Align.up(d.size(), sector);
    if (dstOff > oldEnd) explicitHole(dstIno, oldEnd, dstOff - oldEnd);
    long size = Math.max(d.size(), dstOff + done);
    d = d.withSize(size, d.nbytes() - released + added);
    dst.putInode(dstIno, d.withTimes(d.atime(), FileTree.now(), FileTree.now()));
    return done;
  }

  /** Without the no-holes feature, a gap in a file's extents is an explicit hole item. */
  private void explicitHole(long ino, long at, long len) throws IOException {
    if ((dst.engine().fs().superblock().incompatFlags() & FeatureFlags.INCOMPAT_NO_HOLES) != 0) {
      return;
    }
    dst.tree()
        .put(
            new Key(ino, ItemType.EXTENT_DATA, at),
            FileExtentItem.encodeRegular(
                dst.transid(), len, 0, FileExtentItem.TYPE_REG, 0, 0, 0, len));
  }

  private static boolean hasInline(FileTree t, long ino) throws IOException {
    Cursor c = t.tree().readView().seekCeil(new Key(ino, ItemType.EXTENT_DATA, 0));
    if (!c.valid() || c.objectId() != ino || c.type() != ItemType.EXTENT_DATA) return false;
    return FileExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize()).isInline();
  }
}
