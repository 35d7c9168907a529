package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.extent.ChecksumTreeEditor;
import org.jbtrfs.fs.ChecksumLookup;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.txn.WriteEngine;

/**
 * Copies a data extent's bytes as they are on disk (compressed extents stay compressed) to its new
 * place, with its checksums. Every sector that has a checksum is verified on the way, and a bad
 * copy is repaired from another mirror or parity by the reader, so relocation never moves a corrupt
 * sector silently; sectors without one (nodatasum files, preallocated space) are copied as they
 * are.
 */
final class ExtentCopy {
  /** Bytes read and queued per step: bounds the memory one extent (up to 128 MiB) takes. */
  private static final int PIECE = 1 << 20;

  private ExtentCopy() {}

  /** The checksums of a copy, to be recorded at its new place once every byte was read. */
  record Checksums(long to, byte[][] sums, boolean[][] present) {}

  /**
   * Reads [from, from+len) and queues it for writing at {@code to}; changes no tree, so a read that
   * fails leaves nothing to undo but the queued data.
   */
  static Checksums copy(WriteEngine engine, long from, long to, long len) throws IOException {
    Filesystem fs = engine.fs();
    int sector = fs.sectorSize();
    int csize = fs.superblock().checksumType().size();
    byte[][] sums = new byte[(int) ((len + PIECE - 1) / PIECE)][];
    boolean[][] present = new boolean[sums.length][];
    for (long off = 0; off < len; off += PIECE) {
      int n = (int) Math.min(PIECE, len - off);
      int sectors = n / sector;
      int piece = (int) (off / PIECE);
      sums[piece] = new byte[sectors * csize];
      present[piece] = new boolean[sectors];
      ChecksumLookup.fill(
          fs.csumTree(), from + off, sectors, sector, csize, sums[piece], present[piece]);
      byte[] buf = new byte[n];
      readRuns(fs, from + off, buf, present[piece], sector);
      engine.writeData(to + off, buf, n);
    }
    return new Checksums(to, sums, present);
  }

  /** Records the checksums of a copy at its new place. */
  static void record(WriteEngine engine, Checksums c) throws IOException {
    int sector = engine.fs().sectorSize();
    int csize = engine.fs().superblock().checksumType().size();
    ChecksumTreeEditor csums = engine.checksums();
    for (int piece = 0; piece < c.sums().length; piece++) {
      long base = c.to() + (long) piece * PIECE;
      boolean[] p = c.present()[piece];
      for (int i = 0; i < p.length; ) {
        if (!p[i]) {
          i++;
          continue;
        }
        int j = i;
        while (j < p.length && p[j]) j++;
        csums.insert(
            base + (long) i * sector, Arrays.copyOfRange(c.sums()[piece], i * csize, j * csize));
        i = j;
      }
    }
  }

  /** Reads runs of sectors with a checksum verified, the others as they are. */
  private static void readRuns(
      Filesystem fs, long logical, byte[] buf, boolean[] present, int sector) throws IOException {
    for (int i = 0; i < present.length; ) {
      int j = i;
      while (j < present.length && present[j] == present[i]) j++;
      fs.data().read(logical + (long) i * sector, buf, i * sector, (j - i) * sector, present[i]);
      i = j;
    }
  }
}
