package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.txn.WriteEngine;

/**
 * File contents: appending data as extents (inline for small files, like the kernel), truncating,
 * and dropping every extent of a deleted inode. Each new data extent is at most 128 MiB, carries
 * per-sector checksums in the csum tree, and gets a data back reference.
 */
public final class FileData {
  public static final long MAX_EXTENT = 128L << 20;

  /** The kernel's default max_inline. */
  public static final int MAX_INLINE = 2048;

  private final FileTree ft;

  public FileData(FileTree ft) {
    this.ft = ft;
  }

  /**
   * Writes {@code len} bytes from {@code in} as the whole contents of a new, empty file {@code
   * ino}. Small files become one inline extent; larger ones are split into extents of at most 128
   * MiB, streamed through a small buffer so file size never bounds memory.
   */
  public void writeNewFile(long ino, java.io.InputStream in, long len) throws IOException {
    WriteEngine e = ft.engine();
    int sector = e.fs().sectorSize();
    InodeItem inode = ft.inode(ino);
    long nbytes = 0;
    if (len > 0 && len <= MAX_INLINE && len < sector && !inode.isNoDataSum()) {
      byte[] inline = in.readNBytes((int) len);
      if (inline.length != len) throw new java.io.EOFException("source ended early");
      ft.tree()
          .insert(
              new Key(ino, ItemType.EXTENT_DATA, 0),
              FileExtentItem.encodeInline(ft.transid(), len, 0, inline));
      nbytes = len;
    } else {
      for (long pos = 0; pos < len; ) {
        long[] ext =
            ft.engine().allocateDataUpTo(Math.min(MAX_EXTENT, Align.up(len - pos, sector)));
        writeExtent(ino, pos, ext[0], ext[1], in, len - pos, inode.isNoDataSum());
        nbytes += ext[1];
        pos += ext[1];
      }
    }
    ft.putInode(ino, inode.withSize(len, nbytes));
  }

  private static final int IO_BUFFER = 1 << 20;

  /**
   * Writes an extent of {@code extLen} bytes at {@code disk}: up to {@code remaining} bytes of
   * {@code in}, zero-padded to the extent's end, with checksums, its item and back reference.
   */
  private void writeExtent(
      long ino,
      long fileOff,
      long disk,
      long extLen,
      java.io.InputStream in,
      long remaining,
      boolean nodatasum)
      throws IOException {
    WriteEngine e = ft.engine();
    int sector = e.fs().sectorSize();
    ChecksumType csum = e.fs().superblock().checksumType();
    byte[] sums = nodatasum ? null : new byte[(int) (extLen / sector) * csum.size()];
    for (long done = 0; done < extLen; ) {
      int n = (int) Math.min(IO_BUFFER, extLen - done);
      // A new buffer each time: the engine keeps it until the data is on the devices.
      byte[] buf = new byte[n];
      int want = (int) Math.max(0, Math.min(n, remaining - done));
      int got = in.readNBytes(buf, 0, want);
      if (got != want) throw new java.io.EOFException("source ended early");
      ByteArrays.zero(buf, got, n);
      e.writeData(disk + done, buf, n);
      if (sums != null) {
        for (int i = 0; i < n / sector; i++) {
          csum.compute(buf, i * sector, sector, sums, (int) ((done / sector) + i) * csum.size());
        }
      }
      done += n;
    }
    if (sums != null) e.checksums().insert(disk, sums);
    ft.tree()
        .insert(
            new Key(ino, ItemType.EXTENT_DATA, fileOff),
            FileExtentItem.encodeRegular(
                ft.transid(), extLen, 0, FileExtentItem.TYPE_REG, disk, extLen, 0, extLen));
    e.refs().addDataRef(disk, extLen, ft.id(), ino, fileOff, true);
  }

  /**
   * Cuts the file to {@code newSize}: extents past it are dropped, the one across it shortened.
   * Growing only changes the size (with no-holes) or records an explicit hole.
   */
  public void truncate(long ino, long newSize) throws IOException {
    InodeItem inode = ft.inode(ino);
    long nbytes = inode.nbytes();
    int sector = ft.engine().fs().sectorSize();
    if (newSize < inode.size()) {
      nbytes -= dropFrom(ino, newSize, sector);
    } else if (newSize > inode.size() && !noHoles()) {
      // In sectors: a hole up to the largest size ends at 2^63, past what a long holds.
      long holeStart = Align.units(inode.size(), sector) * sector;
      long holeSectors = Align.units(newSize, sector) - Align.units(inode.size(), sector);
      long holeEnd = holeStart + holeSectors * sector; // as an unsigned value, up to 2^63
      if (holeSectors > 0) {
        ft.tree()
            .put(
                new Key(ino, ItemType.EXTENT_DATA, holeStart),
                FileExtentItem.encodeRegular(
                    ft.transid(),
                    holeEnd - holeStart,
                    0,
                    FileExtentItem.TYPE_REG,
                    0,
                    0,
                    0,
                    holeEnd - holeStart));
      }
    }
    var now = FileTree.now();
    ft.putInode(ino, inode.withSize(newSize, nbytes).withTimes(inode.atime(), now, now));
  }

  /**
   * The first {@code len} bytes of the extent's sector at {@code extentOff}, zero-filled to a
   * sector.
   */
  private byte[] readPartialSector(
      FileExtentItem fe, long extentOff, int len, int sector, boolean verify) throws IOException {
    byte[] buf = new byte[sector];
    // Checksum-verified (and repaired from another copy if needed), like every other data read.
    ft.engine().fs().data().read(fe.diskBytenr() + fe.offset() + extentOff, buf, 0, sector, verify);
    ByteArrays.zero(buf, len, sector);
    return buf;
  }

  /** Removes every extent of {@code ino} (the inode is being deleted). */
  public void dropAll(long ino) throws IOException {
    dropFrom(ino, 0, ft.engine().fs().sectorSize());
  }

  private boolean noHoles() {
    return (ft.engine().fs().superblock().incompatFlags() & FeatureFlags.INCOMPAT_NO_HOLES) != 0;
  }

  /**
   * Drops or trims extents at and after {@code from}; returns the bytes no longer counted in
   * nbytes.
   */
  private long dropFrom(long ino, long from, int sector) throws IOException {
    record Ext(long fileOff, byte[] raw) {}
    List<Ext> exts = new ArrayList<>();
    Cursor c = ft.tree().readView().seekFloor(new Key(ino, ItemType.EXTENT_DATA, from));
    if (!c.valid() || c.objectId() != ino || c.type() != ItemType.EXTENT_DATA) {
      c = ft.tree().readView().seekCeil(new Key(ino, ItemType.EXTENT_DATA, 0));
    }
    for (; c.valid() && c.objectId() == ino && c.type() == ItemType.EXTENT_DATA; c.next()) {
      exts.add(new Ext(c.offset(), c.data()));
    }
    long released = 0;
    for (Ext x : exts) {
      FileExtentItem fe = FileExtentItem.parse(x.raw(), 0, x.raw().length);
      long len = fe.isInline() ? fe.ramBytes() : fe.numBytes();
      long extEnd = Align.endOf(x.fileOff(), len);
      if (extEnd <= from && !(fe.isInline() && from < extEnd)) continue;
      Key key = new Key(ino, ItemType.EXTENT_DATA, x.fileOff());
      if (x.fileOff() >= from) {
        ft.tree().delete(key);
        released += fe.isInline() ? fe.inlineDataSize() : (fe.isHole() ? 0 : fe.numBytes());
        if (!fe.isInline() && !fe.isHole()) {
          ft.engine()
              .refs()
              .dropDataRef(
                  fe.diskBytenr(), fe.diskNumBytes(), ft.id(), ino, x.fileOff() - fe.offset());
        }
        continue;
      }
      // The extent straddles the cut.
      long keep = from - x.fileOff();
      if (fe.isInline()) {
        if (fe.compression() != 0)
          throw new UnsupportedFeatureException("truncating compressed inline extents");
        byte[] data =
            java.util.Arrays.copyOfRange(
                x.raw(),
                FileExtentItem.INLINE_HEADER_SIZE,
                FileExtentItem.INLINE_HEADER_SIZE + (int) Math.min(keep, fe.inlineDataSize()));
        ft.tree().put(key, FileExtentItem.encodeInline(ft.transid(), keep, 0, data));
        released += fe.inlineDataSize() - data.length;
      } else {
        // A cut inside a sector must leave zeros after it, or growing the file later would
        // expose the cut-off bytes (the kernel's btrfs_truncate_block). That sector is copied,
        // tail zeroed, into a new one-sector extent. Prealloc reads as zeros and holes have
        // no data; compressed extents cannot be cut this way and keep the old behaviour.
        long keepDown = Align.down(keep, sector);
        boolean zeroTail =
            keep != keepDown
                && fe.type() == FileExtentItem.TYPE_REG
                && !fe.isHole()
                && fe.compression() == 0;
        long keepExtent = zeroTail ? keepDown : Align.up(keep, sector);
        if (keepExtent >= fe.numBytes() && !zeroTail) continue;
        byte[] tail =
            zeroTail
                ? readPartialSector(
                    fe, keepDown, (int) (keep - keepDown), sector, !ft.inode(ino).isNoDataSum())
                : null;
        if (keepExtent == 0) {
          ft.tree().delete(key);
          ft.engine()
              .refs()
              .dropDataRef(
                  fe.diskBytenr(), fe.diskNumBytes(), ft.id(), ino, x.fileOff() - fe.offset());
        } else {
          ft.tree()
              .put(
                  key,
                  FileExtentItem.encodeRegular(
                      fe.generation(),
                      fe.ramBytes(),
                      fe.compression(),
                      fe.type(),
                      fe.diskBytenr(),
                      fe.diskNumBytes(),
                      fe.offset(),
                      keepExtent));
        }
        if (!fe.isHole()) released += fe.numBytes() - keepExtent;
        if (zeroTail) {
          writeExtent(
              ino,
              x.fileOff() + keepDown,
              ft.engine().allocateData(sector),
              sector,
              new java.io.ByteArrayInputStream(tail),
              sector,
              ft.inode(ino).isNoDataSum());
          released -= sector;
        }
      }
    }
    return released;
  }
}
