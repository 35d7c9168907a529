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
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.Node;
import org.jbtrfs.space.FlushMode;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.txn.WriteEngine;

/**
 * fallocate: preallocated extents (at most 256 MiB each, as the kernel caps them) for the holes in
 * a range, or clearing a range (punch hole / zero range).
 */
final class Preallocator {
  static final int KEEP_SIZE = 0x01;
  static final int PUNCH_HOLE = 0x02;
  static final int ZERO_RANGE = 0x10;

  /** The kernel never reserves more than this for one preallocated extent. */
  static final long MAX_PREALLOC = 256L << 20;

  private final MountedWriter mw;
  private final Node n;
  private final FsOps ops;
  private final int ps;

  Preallocator(MountedWriter mw, Node n) throws IOException {
    this.mw = mw;
    this.n = n;
    this.ops = mw.ops(n.subvolume().id());
    this.ps = mw.engine().fs().sectorSize();
  }

  int apply(int mode, long off, long len) throws IOException {
    if (off < 0 || len <= 0) return -FsError.EINVAL;
    if ((mode & ~(KEEP_SIZE | PUNCH_HOLE | ZERO_RANGE)) != 0) return -95; // EOPNOTSUPP
    if ((mode & PUNCH_HOLE) != 0 && (mode & KEEP_SIZE) == 0) return -95;
    long end = Align.endOf(off, len);
    // The VFS refuses ranges past the largest file size; a range into its last sector would need
    // an extent ending at 2^63, which no signed offset here can hold.
    if (end > Align.down(Long.MAX_VALUE, ps)) return -FsError.EFBIG;
    if ((mode & (PUNCH_HOLE | ZERO_RANGE)) != 0) {
      clear(off, end);
      if ((mode & PUNCH_HOLE) != 0) return 0;
    }
    mw.writeback(n);
    preallocate(Align.down(off, ps), Align.up(end, ps));
    InodeItem i = ops.fileTree().inode(n.ino());
    if ((mode & KEEP_SIZE) == 0 && end > i.size()) {
      Timespec now = Timespec.now();
      ops.fileTree().putInode(n.ino(), i.withSize(end, i.nbytes()).withTimes(i.atime(), now, now));
    }
    return 0;
  }

  /**
   * Zeroes the partial sectors at the edges and drops whole sectors in between. Like the kernel, a
   * range reaching past EOF drops the last partial sector whole (its bytes past EOF read as zeros
   * anyway) instead of writing zeros into it.
   */
  private void clear(long off, long end) throws IOException {
    InodeItem i = ops.fileTree().inode(n.ino());
    long limit = Math.min(end, i.size());
    long inner0 = Align.up(off, ps);
    long inner1 = Align.down(limit, ps);
    long dropEnd = Math.max(inner1, Align.down(Math.min(end, Align.up(i.size(), ps)), ps));
    if (off < limit) {
      if (inner0 > inner1) {
        zero(off, limit);
      } else {
        if (off < inner0) zero(off, inner0);
        if (inner1 < limit && dropEnd <= inner1) zero(inner1, limit);
      }
    }
    mw.writeback(n);
    if (inner0 < dropEnd) {
      long released = new ExtentRangeDropper(ops.fileTree()).drop(n.ino(), inner0, dropEnd);
      if ((mw.engine().fs().superblock().incompatFlags() & FeatureFlags.INCOMPAT_NO_HOLES) == 0) {
        ops.fileTree()
            .tree()
            .put(
                new Key(n.ino(), ItemType.EXTENT_DATA, inner0),
                FileExtentItem.encodeRegular(
                    ops.fileTree().transid(),
                    dropEnd - inner0,
                    0,
                    FileExtentItem.TYPE_REG,
                    0,
                    0,
                    0,
                    dropEnd - inner0));
      }
      InodeItem j = ops.fileTree().inode(n.ino());
      Timespec now = Timespec.now();
      ops.fileTree()
          .putInode(
              n.ino(), j.withSize(j.size(), j.nbytes() - released).withTimes(j.atime(), now, now));
    }
  }

  private void zero(long from, long to) throws IOException {
    mw.writeWithinChange(n, from, new byte[(int) (to - from)], (int) (to - from));
  }

  /** Fills every hole in [start, end) with preallocated extents. */
  private void preallocate(long start, long end) throws IOException {
    WriteEngine e = mw.engine();
    List<long[]> holes = holes(start, end);
    long need = 0;
    for (long[] h : holes) need += h[1] - h[0];
    // All or nothing, like the kernel: reserve the whole range before allocating any of it. The
    // change is under way (its FsOps live), so no commit here: MountedWriter#fallocate flushed
    // before it started.
    e.space().reserveData(need, FlushMode.FLUSH_LIMIT);
    e.space().releaseData(need, true);
    try {
      fillHoles(holes);
    } finally {
      e.space().endDataAllocation();
    }
  }

  private void fillHoles(List<long[]> holes) throws IOException {
    WriteEngine e = mw.engine();
    long added = 0;
    for (long[] hole : holes) {
      new ExtentRangeDropper(ops.fileTree()).drop(n.ino(), hole[0], hole[1]);
      for (long pos = hole[0]; pos < hole[1]; ) {
        long[] ext = e.allocateDataUpTo(Math.min(MAX_PREALLOC, hole[1] - pos));
        long disk = ext[0];
        long want = ext[1];
        ops.fileTree()
            .tree()
            .insert(
                new Key(n.ino(), ItemType.EXTENT_DATA, pos),
                FileExtentItem.encodeRegular(
                    ops.fileTree().transid(),
                    want,
                    0,
                    FileExtentItem.TYPE_PREALLOC,
                    disk,
                    want,
                    0,
                    want));
        e.refs().addDataRef(disk, want, ops.fileTree().id(), n.ino(), pos, true);
        added += want;
        pos += want;
      }
    }
    if (added > 0) {
      InodeItem i = ops.fileTree().inode(n.ino());
      // PREALLOC, as the kernel sets it: writeback then looks for preallocated extents to fill.
      ops.fileTree()
          .putInode(
              n.ino(),
              i.withSize(i.size(), i.nbytes() + added)
                  .withFlags(i.flags() | InodeItem.FLAG_PREALLOC));
    }
  }

  /** Ranges of [start, end) covered by no extent, or only by explicit hole items. */
  private List<long[]> holes(long start, long end) throws IOException {
    List<long[]> covered = new ArrayList<>();
    Cursor c =
        ops.fileTree().tree().readView().seekFloor(new Key(n.ino(), ItemType.EXTENT_DATA, start));
    if (!c.valid() || c.objectId() != n.ino() || c.type() != ItemType.EXTENT_DATA) {
      c = ops.fileTree().tree().readView().seekCeil(new Key(n.ino(), ItemType.EXTENT_DATA, 0));
    }
    for (;
        c.valid()
            && c.objectId() == n.ino()
            && c.type() == ItemType.EXTENT_DATA
            && c.offset() < end;
        c.next()) {
      FileExtentItem fe = FileExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize());
      if (fe.isHole()) continue;
      long len = fe.isInline() ? Align.up(fe.ramBytes(), ps) : fe.numBytes();
      covered.add(new long[] {c.offset(), Align.endOf(c.offset(), len)});
    }
    List<long[]> holes = new ArrayList<>();
    long pos = start;
    for (long[] cv : covered) {
      if (cv[1] <= pos) continue;
      if (cv[0] > pos) holes.add(new long[] {pos, Math.min(cv[0], end)});
      pos = Math.max(pos, cv[1]);
      if (pos >= end) break;
    }
    if (pos < end) holes.add(new long[] {pos, end});
    return holes;
  }
}
