package org.jbtrfs.scrub;

import java.io.IOException;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.jbtrfs.volume.BlockSink;
import org.jbtrfs.volume.BlockSource;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.ParityCheck;

/**
 * After the data strips of a RAID5/6 chunk are verified and repaired, checks P and Q of every row
 * slice that holds allocated data against parity recomputed from that data, and rewrites the ones
 * that disagree. Slices of unallocated space are left alone: nothing vouches for their data.
 */
final class ParityScrub {
  private final BlockSource devices;
  private final BlockSink sink;
  private final int sectorSize;
  private final ScrubCounters counters;
  private final Consumer<String> log;

  ParityScrub(
      BlockSource devices,
      BlockSink sink,
      int sectorSize,
      ScrubCounters counters,
      Consumer<String> log) {
    this.devices = devices;
    this.sink = sink;
    this.sectorSize = sectorSize;
    this.counters = counters;
    this.log = log;
  }

  /** Per row: which sectors of its strips hold allocated data in some column. */
  static final class Rows {
    final Map<Long, BitSet> sectors = new TreeMap<>();

    void add(ChunkMapping c, long from, long to, int sectorSize) {
      for (long a = from; a < to; a += sectorSize) {
        ParityCheck.RowSlice s = ParityCheck.sliceOf(c, a);
        sectors.computeIfAbsent(s.row(), r -> new BitSet()).set((int) (s.inElement() / sectorSize));
      }
    }
  }

  /**
   * {@code mayRewrite} false (some data of the chunk could not be repaired): parity is only
   * checked, since parity recomputed from bad data would destroy the last way to rebuild it.
   */
  void check(ChunkMapping c, Rows rows, boolean mayRewrite) throws IOException {
    BlockSink writeTo = mayRewrite ? sink : null;
    for (Map.Entry<Long, BitSet> row : rows.sectors.entrySet()) {
      BitSet used = row.getValue();
      // Sector by sector, so the counts say how many sectors of parity were wrong.
      for (int sector = used.nextSetBit(0); sector >= 0; sector = used.nextSetBit(sector + 1)) {
        long inElement = (long) sector * sectorSize;
        for (ParityCheck.BadParity bad :
            ParityCheck.check(c, devices, writeTo, row.getKey(), inElement, sectorSize)) {
          // The kernel rewrites wrong parity without counting it as an error of any kind, in
          // the summary or in the device counters; the log line is all that tells of it.
          if (writeTo != null) counters.parityRewritten++;
          log.accept(
              (writeTo != null ? "fixed up" : "found")
                  + " parity "
                  + (bad.parity() == 1 ? "P" : "Q")
                  + " mismatch in "
                  + c.profile().displayName()
                  + " chunk "
                  + c.logical()
                  + " row "
                  + row.getKey()
                  + " on devid "
                  + bad.devid()
                  + " physical "
                  + bad.physical());
        }
      }
    }
  }
}
