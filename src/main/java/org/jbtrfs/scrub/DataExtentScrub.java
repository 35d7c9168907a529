package org.jbtrfs.scrub;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.fs.ChecksumLookup;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.StoredCopies;

/**
 * Scrubs one data extent sector by sector: every stored copy is checked against the csum tree (a
 * sector without a checksum, nodatasum, can only fail by a read error), and a bad copy is rewritten
 * from a good copy, or for RAID5/6 from the sector rebuilt through P or Q when that verifies.
 * Sectors nobody can repair go to {@link DamagedFiles} to be named.
 */
final class DataExtentScrub {
  /** Sectors read per device request: large enough to stream, small enough to keep in memory. */
  private static final int BATCH_SECTORS = 64;

  private final Tree csumTree;
  private final ChecksumType csum;
  private final int sectorSize;
  private final CopyRepair repair;
  private final ScrubCounters counters;
  private final DamagedFiles damaged;

  DataExtentScrub(
      Tree csumTree,
      ChecksumType csum,
      int sectorSize,
      CopyRepair repair,
      ScrubCounters counters,
      DamagedFiles damaged) {
    this.csumTree = csumTree;
    this.csum = csum;
    this.sectorSize = sectorSize;
    this.repair = repair;
    this.counters = counters;
    this.damaged = damaged;
  }

  /** Scrubs [from, to) of extent {@code e} (all of it, or the piece one step takes). */
  void scrub(ChunkMapping c, AllocatedExtent e, long from, long to) throws IOException {
    if (from == e.bytenr()) counters.dataExtents++;
    for (long pos = from; pos < to; ) {
      int sectors = (int) Math.min(BATCH_SECTORS, (to - pos) / sectorSize);
      if (sectors <= 0) break;
      batch(c, e, pos, sectors);
      pos += (long) sectors * sectorSize;
    }
  }

  private void batch(ChunkMapping c, AllocatedExtent e, long logical, int sectors)
      throws IOException {
    int csize = csum.size();
    byte[] sums = new byte[sectors * csize];
    boolean[] hasSum = new boolean[sectors];
    ChecksumLookup.fill(csumTree, logical, sectors, sectorSize, csize, sums, hasSum);
    int len = sectors * sectorSize;
    int copies = StoredCopies.count(c);
    byte[][] data = new byte[copies][];
    ErrorKind[][] bad = new ErrorKind[copies][];
    for (int k = 0; k < copies; k++) {
      if (!StoredCopies.present(c, repair.devices(), logical, len, k)) continue;
      data[k] = new byte[len];
      bad[k] = readCopy(c, logical, sectors, k, data[k], sums, hasSum);
      counters.dataBytes += len;
    }
    for (int s = 0; s < sectors; s++) {
      long at = logical + (long) s * sectorSize;
      byte[] good = null;
      for (int k = 0; k < copies && good == null; k++) {
        if (data[k] != null && bad[k][s] == null) good = data[k];
      }
      int goodOff = s * sectorSize;
      if (good == null) {
        good = rebuilt(c, at, sums, s, hasSum[s]);
        goodOff = 0;
      }
      for (int k = 0; k < copies; k++) {
        if (data[k] == null || bad[k][s] == null) continue;
        String where = repair.badCopy(c, at, sectorSize, k, bad[k][s], 1, good, goodOff);
        if (good == null) damaged.report(e, at, sectorSize, bad[k][s], where);
      }
    }
  }

  /** Reads copy {@code k}; returns each sector's fault (null = good). */
  private ErrorKind[] readCopy(
      ChunkMapping c, long logical, int sectors, int k, byte[] into, byte[] sums, boolean[] hasSum)
      throws IOException {
    ErrorKind[] bad = new ErrorKind[sectors];
    try {
      StoredCopies.read(c, repair.devices(), logical, into, 0, into.length, k);
    } catch (IOException batchFailed) {
      // Find which sectors the device cannot return, one at a time.
      for (int s = 0; s < sectors; s++) {
        try {
          StoredCopies.read(
              c,
              repair.devices(),
              logical + (long) s * sectorSize,
              into,
              s * sectorSize,
              sectorSize,
              k);
        } catch (IOException sectorFailed) {
          bad[s] = ErrorKind.READ;
          Arrays.fill(into, s * sectorSize, (s + 1) * sectorSize, (byte) 0);
        }
      }
    }
    for (int s = 0; s < sectors; s++) {
      if (bad[s] == null && hasSum[s] && !matches(into, s * sectorSize, sums, s)) {
        bad[s] = ErrorKind.CSUM;
      }
    }
    return bad;
  }

  /** For RAID5/6: the sector rebuilt from P, else Q, if it verifies (or has no checksum). */
  private byte[] rebuilt(ChunkMapping c, long at, byte[] sums, int s, boolean hasSum) {
    for (int parity = 1; parity <= StoredCopies.rebuilds(c); parity++) {
      byte[] b = new byte[sectorSize];
      try {
        StoredCopies.rebuild(c, repair.devices(), at, b, 0, sectorSize, parity);
        if (!hasSum || matches(b, 0, sums, s)) return b;
      } catch (IOException unreadable) {
        // try the other parity
      }
    }
    return null;
  }

  private boolean matches(byte[] buf, int off, byte[] sums, int s) {
    return csum.verify(buf, off, sectorSize, sums, s * csum.size());
  }
}
