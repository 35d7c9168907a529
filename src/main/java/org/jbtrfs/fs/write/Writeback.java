package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.fs.compress.Compressor;
import org.jbtrfs.txn.WriteEngine;

/**
 * Turns an inode's dirty pages into extents: each run of consecutive pages replaces what the file
 * had there (see ExtentRangeDropper) with new extents of at most 128 MiB, written with their
 * checksums, or compressed 128 KiB at a time when compression is on. A small file that fits in its
 * first page becomes an inline extent, as the kernel writes it.
 */
public final class Writeback {
  /** The kernel compresses at most this much file data into one extent. */
  public static final int COMPRESSED_CHUNK = 128 << 10;

  private static final int IO_BUFFER = 1 << 20;

  private final FileTree ft;
  private final CompressionType compression;
  private final int level;

  public Writeback(FileTree ft, CompressionType compression, int level) {
    this.ft = ft;
    this.compression = compression;
    this.level = level;
  }

  public void write(long ino, TreeMap<Long, byte[]> pages) throws IOException {
    if (pages == null || pages.isEmpty()) return;
    InodeItem inode = ft.inode(ino);
    int ps = ft.engine().fs().sectorSize();
    long nbytes = inode.nbytes();
    ExtentRangeDropper dropper = new ExtentRangeDropper(ft);
    CompressionType algorithm = new Xattrs(ft).compression().algorithmFor(ino, inode, compression);
    boolean compress = algorithm != CompressionType.NONE;
    // The mount's level goes with the mount's algorithm; one a file's property chose uses its own.
    int lvl = algorithm == compression ? level : 0;
    if (compress) {
      long bits = CompressionProperty.incompatFor(algorithm);
      if (bits != 0) ft.engine().requireIncompat(bits);
    }
    // (compress= gives up on files whose data does not compress; compress-force keeps trying.
    // Both store an extent plainly when compressing it would not save a sector.)
    // As the kernel, only nodatacow files and files with preallocated extents look for places
    // to write in place.
    boolean nocow = (inode.flags() & InodeItem.FLAG_NODATACOW) != 0 && inode.isNoDataSum();
    boolean inPlace = nocow || (inode.flags() & InodeItem.FLAG_PREALLOC) != 0;
    for (List<Map.Entry<Long, byte[]>> whole : runs(pages, FileData.MAX_EXTENT / ps)) {
      long wholeStart = whole.get(0).getKey() * ps;
      List<InPlaceRuns.Segment> segments =
          inPlace
              ? InPlaceRuns.split(ft, ino, wholeStart, whole.size(), ps, nocow)
              : List.of(new InPlaceRuns.Segment(0, whole.size(), -1, 0, false));
      for (InPlaceRuns.Segment sg : segments) {
        List<Map.Entry<Long, byte[]>> run = whole.subList(sg.from(), sg.to());
        if (sg.disk() >= 0) {
          // Over the file's own extent: nbytes stays; a regular extent keeps its items too.
          writeInPlace(sg.disk(), run, ps, !sg.prealloc() || inode.isNoDataSum());
          if (sg.prealloc()) {
            long from = run.get(0).getKey() * ps;
            new PreallocConversion(ft)
                .written(ino, sg.itemOff(), from, from + (long) run.size() * ps);
          }
          continue;
        }
        long start = run.get(0).getKey() * ps;
        long end = Align.endOf(run.get(run.size() - 1).getKey() * ps, ps);
        nbytes -= dropper.drop(ino, start, end);
        if (start == 0
            && end == ps
            && inode.size() <= FileData.MAX_INLINE
            && inode.size() < ps
            && inode.size() > 0
            && !inode.isNoDataSum()) {
          nbytes += writeInline(ino, run.get(0).getValue(), (int) inode.size(), algorithm, lvl);
          continue;
        }
        nbytes +=
            compress
                ? writeCompressed(ino, start, run, ps, algorithm, lvl)
                : writePlain(ino, start, run, ps, inode.isNoDataSum());
      }
    }
    ft.putInode(ino, ft.inode(ino).withSize(inode.size(), nbytes));
  }

  /** Splits the pages into runs of consecutive indexes, each at most {@code maxPages} long. */
  static List<List<Map.Entry<Long, byte[]>>> runs(TreeMap<Long, byte[]> pages, long maxPages) {
    List<List<Map.Entry<Long, byte[]>>> runs = new ArrayList<>();
    List<Map.Entry<Long, byte[]>> cur = new ArrayList<>();
    long prev = Long.MIN_VALUE;
    for (Map.Entry<Long, byte[]> e : pages.entrySet()) {
      if (!cur.isEmpty() && (e.getKey() != prev + 1 || cur.size() >= maxPages)) {
        runs.add(cur);
        cur = new ArrayList<>();
      }
      cur.add(e);
      prev = e.getKey();
    }
    if (!cur.isEmpty()) runs.add(cur);
    return runs;
  }

  private long writeInline(long ino, byte[] page, int size, CompressionType algorithm, int lvl)
      throws IOException {
    byte[] data = java.util.Arrays.copyOf(page, size);
    int ps = ft.engine().fs().sectorSize();
    if (algorithm != CompressionType.NONE) {
      byte[] packed = Compressor.compress(algorithm, lvl, data, 0, size, ps);
      if (packed != null && packed.length < size) {
        ft.tree()
            .insert(
                new Key(ino, ItemType.EXTENT_DATA, 0),
                FileExtentItem.encodeInline(ft.transid(), size, algorithm.code(), packed));
        return size;
      }
    }
    ft.tree()
        .insert(
            new Key(ino, ItemType.EXTENT_DATA, 0),
            FileExtentItem.encodeInline(ft.transid(), size, 0, data));
    return size;
  }

  /**
   * Writes pages over disk bytes the file owns; checksums go with them unless {@code nodatasum} (a
   * nodatacow overwrite has none; data in a preallocated extent gets them, as new data does).
   */
  private void writeInPlace(long disk, List<Map.Entry<Long, byte[]>> run, int ps, boolean nodatasum)
      throws IOException {
    storePages(disk, run, 0, (long) run.size() * ps, ps, nodatasum);
  }

  /**
   * Stores {@code len} bytes of pages from {@code run}, starting with page {@code firstPage}, at
   * {@code disk}, in buffers of at most 1 MiB; returns the index of the next page.
   */
  private int storePages(
      long disk,
      List<Map.Entry<Long, byte[]>> run,
      int firstPage,
      long len,
      int ps,
      boolean nodatasum)
      throws IOException {
    int pageIdx = firstPage;
    for (long written = 0; written < len; ) {
      int n = (int) Math.min(IO_BUFFER, len - written);
      // A new buffer each time: the engine keeps it until the data is on the devices.
      byte[] buf = new byte[n];
      for (int o = 0; o < n; o += ps)
        System.arraycopy(run.get(pageIdx++).getValue(), 0, buf, o, ps);
      storeWithChecksums(disk + written, buf, n, nodatasum);
      written += n;
    }
    return pageIdx;
  }

  private long writePlain(
      long ino, long start, List<Map.Entry<Long, byte[]>> run, int ps, boolean nodatasum)
      throws IOException {
    long total = (long) run.size() * ps;
    long done = 0;
    int pageIdx = 0;
    while (done < total) {
      long[] ext = ft.engine().allocateDataUpTo(total - done);
      long disk = ext[0];
      long len = ext[1];
      pageIdx = storePages(disk, run, pageIdx, len, ps, nodatasum);
      long fileOff = start + done;
      ft.tree()
          .insert(
              new Key(ino, ItemType.EXTENT_DATA, fileOff),
              FileExtentItem.encodeRegular(
                  ft.transid(), len, 0, FileExtentItem.TYPE_REG, disk, len, 0, len));
      ft.engine().refs().addDataRef(disk, len, ft.id(), ino, fileOff, true);
      done += len;
    }
    return total;
  }

  private long writeCompressed(
      long ino,
      long start,
      List<Map.Entry<Long, byte[]>> run,
      int ps,
      CompressionType algorithm,
      int lvl)
      throws IOException {
    // Compressed data always has checksums: nodatasum files are never compressed.
    int perChunk = COMPRESSED_CHUNK / ps;
    long total = 0;
    for (int i = 0; i < run.size(); i += perChunk) {
      int pagesHere = Math.min(perChunk, run.size() - i);
      byte[] plain = new byte[pagesHere * ps];
      for (int p = 0; p < pagesHere; p++)
        System.arraycopy(run.get(i + p).getValue(), 0, plain, p * ps, ps);
      long fileOff = start + (long) i * ps;
      byte[] packed = Compressor.compress(algorithm, lvl, plain, 0, plain.length, ps);
      // Even compress-force stores data plainly when compressing would not save a sector.
      boolean worth = packed != null && Compressor.savesSector(packed.length, plain.length, ps);
      if (!worth) {
        total += writePlain(ino, fileOff, run.subList(i, i + pagesHere), ps, false);
        continue;
      }
      long diskLen = Align.up(packed.length, ps);
      long disk = ft.engine().allocateData(diskLen);
      byte[] buf = java.util.Arrays.copyOf(packed, (int) diskLen);
      storeWithChecksums(disk, buf, buf.length, false);
      ft.tree()
          .insert(
              new Key(ino, ItemType.EXTENT_DATA, fileOff),
              FileExtentItem.encodeRegular(
                  ft.transid(),
                  plain.length,
                  algorithm.code(),
                  FileExtentItem.TYPE_REG,
                  disk,
                  diskLen,
                  0,
                  plain.length));
      ft.engine().refs().addDataRef(disk, diskLen, ft.id(), ino, fileOff, true);
      total += plain.length;
    }
    return total;
  }

  private void storeWithChecksums(long disk, byte[] buf, int len, boolean nodatasum)
      throws IOException {
    WriteEngine e = ft.engine();
    e.writeData(disk, buf, len);
    if (nodatasum) return;
    int ps = e.fs().sectorSize();
    ChecksumType csum = e.fs().superblock().checksumType();
    byte[] sums = new byte[len / ps * csum.size()];
    for (int i = 0; i < len / ps; i++) csum.compute(buf, i * ps, ps, sums, i * csum.size());
    e.checksums().insert(disk, sums);
  }
}
