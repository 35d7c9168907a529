package org.jbtrfs.fs;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.fs.compress.Decompressor;
import org.jbtrfs.tree.Cursor;

/**
 * Reads file contents by walking the file's EXTENT_DATA items. Gaps between extents and explicit
 * holes read as zeros, as do preallocated extents; compressed extents are decompressed whole.
 */
public final class FileReader {
  private FileReader() {}

  /** Reads up to {@code len} bytes at {@code pos}; returns how many (0 at or past EOF). */
  public static int read(Node n, InodeItem inode, long pos, byte[] out, int outOff, int len)
      throws IOException {
    if (pos >= inode.size()) return 0;
    len = (int) Math.min(len, inode.size() - pos);
    ByteArrays.zero(out, outOff, outOff + len);
    long end = pos + len;
    long ino = n.ino();
    Subvolume sv = n.subvolume();
    Cursor c = sv.tree().seekFloor(new Key(ino, ItemType.EXTENT_DATA, pos));
    if (!c.valid() || c.objectId() != ino || c.type() != ItemType.EXTENT_DATA) {
      c = sv.tree().seekCeil(new Key(ino, ItemType.EXTENT_DATA, 0));
    }
    for (; c.valid() && c.objectId() == ino && c.type() == ItemType.EXTENT_DATA; c.next()) {
      long fileOff = c.offset();
      if (fileOff >= end) break;
      FileExtentItem fe = FileExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize());
      long extLen = fe.isInline() ? fe.ramBytes() : fe.numBytes();
      long from = Math.max(pos, fileOff);
      long to = Math.min(end, Align.endOf(fileOff, extLen));
      if (from >= to || fe.isHole() || fe.type() == FileExtentItem.TYPE_PREALLOC) continue;
      ExtentChecks.check(fe, ino, sv.fs().sectorSize());
      int dst = outOff + (int) (from - pos);
      int count = (int) (to - from);
      long inExtent = from - fileOff;
      if (fe.isInline()) {
        copyInline(c, fe, inExtent, out, dst, count, sv.fs().sectorSize());
      } else if (fe.compression() != 0) {
        byte[] plain = decompressedExtent(sv.fs(), fe, !inode.isNoDataSum());
        copyClamped(plain, fe.offset() + inExtent, out, dst, count);
      } else {
        readPlain(
            sv.fs(),
            fe.diskBytenr() + fe.offset() + inExtent,
            out,
            dst,
            count,
            !inode.isNoDataSum());
      }
    }
    return len;
  }

  private static void copyInline(
      Cursor c, FileExtentItem fe, long inExtent, byte[] out, int dst, int count, int sectorSize)
      throws IOException {
    byte[] raw = c.raw();
    if (fe.compression() == 0) {
      int avail = (int) Math.max(0, Math.min(count, fe.inlineDataSize() - inExtent));
      if (avail > 0) System.arraycopy(raw, fe.inlineDataOffset() + (int) inExtent, out, dst, avail);
      return;
    }
    byte[] plain =
        Decompressor.decompress(
            CompressionType.fromCode(fe.compression()),
            raw,
            fe.inlineDataOffset(),
            fe.inlineDataSize(),
            (int) fe.ramBytes(),
            sectorSize);
    copyClamped(plain, inExtent, out, dst, count);
  }

  private static void copyClamped(byte[] src, long srcOff, byte[] out, int dst, int count) {
    int avail = (int) Math.max(0, Math.min(count, src.length - srcOff));
    if (avail > 0) System.arraycopy(src, (int) srcOff, out, dst, avail);
  }

  private static byte[] decompressedExtent(Filesystem fs, FileExtentItem fe, boolean verify)
      throws IOException {
    ExtentCache cache = fs.data().decompressedCache();
    byte[] plain = cache.get(fe.diskBytenr());
    if (plain != null && plain.length == fe.ramBytes()) return plain;
    byte[] disk = new byte[(int) fe.diskNumBytes()];
    fs.data().read(fe.diskBytenr(), disk, 0, disk.length, verify);
    try {
      plain =
          Decompressor.decompress(
              CompressionType.fromCode(fe.compression()),
              disk,
              0,
              disk.length,
              (int) fe.ramBytes(),
              fs.sectorSize());
    } catch (IllegalArgumentException e) {
      throw new FormatException("extent at " + fe.diskBytenr() + ": " + e.getMessage());
    }
    cache.put(fe.diskBytenr(), fe.diskNumBytes(), plain);
    return plain;
  }

  /** Reads an uncompressed range, widened to whole sectors so every byte is checksum-verified. */
  private static void readPlain(
      Filesystem fs, long logical, byte[] out, int dst, int count, boolean verify)
      throws IOException {
    int sector = fs.sectorSize();
    if (logical < 0 || logical + count + sector < 0) {
      // disk_bytenr + offset of a corrupt extent can overflow; alignment would then size tmp
      // negative.
      throw new FormatException(
          "file extent points past the address space: " + Long.toUnsignedString(logical));
    }
    long start = Align.down(logical, sector);
    long stop = Align.up(logical + count, sector);
    if (start == logical && stop == logical + count) {
      fs.data().read(start, out, dst, count, verify);
      return;
    }
    byte[] tmp = new byte[(int) (stop - start)];
    fs.data().read(start, tmp, 0, tmp.length, verify);
    System.arraycopy(tmp, (int) (logical - start), out, dst, count);
  }

  /** A symlink's target: the inline extent at offset 0. */
  public static byte[] readLink(Node n, InodeItem inode) throws IOException {
    // Unsigned: a corrupt size with the top bit set must not become a negative array length.
    if (Long.compareUnsigned(inode.size(), 4096) > 0)
      throw new FormatException("symlink " + n + " target too long: " + inode.size());
    byte[] buf = new byte[(int) inode.size()];
    int got = read(n, inode, 0, buf, 0, buf.length);
    return got == buf.length ? buf : Arrays.copyOf(buf, got);
  }
}
