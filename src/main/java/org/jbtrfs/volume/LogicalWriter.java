package org.jbtrfs.volume;

import java.io.IOException;
import org.jbtrfs.format.FormatException;

/** Writes the logical address space through the chunk map to every copy. */
public final class LogicalWriter {
  private final ChunkMap chunks;
  private final BlockSink devices;
  private final BlockSource reads;

  /** {@code reads}: where a partial RAID5/6 row write reads the rest of its row. */
  public LogicalWriter(ChunkMap chunks, BlockSink devices, BlockSource reads) {
    this.chunks = chunks;
    this.devices = devices;
    this.reads = reads;
  }

  /**
   * For data ending at {@code end} (exclusive) in a RAID5/6 chunk: the last boundary of a parity
   * row at or before it, so a writer can tell the part of its data that fills whole rows; -1 for
   * chunks of other profiles.
   */
  public long parityRowFloor(long end) {
    ChunkMapping c;
    try {
      c = chunks.lookup(end - 1);
    } catch (FormatException unmapped) {
      return -1; // the write itself will say what is wrong
    }
    if (!c.profile().hasParity()) return -1;
    long rowBytes = (long) new StripeGeometry(c).width * c.stripeLen();
    return c.logical() + (end - c.logical()) / rowBytes * rowBytes;
  }

  public void write(long logical, byte[] buf, int off, int len) throws IOException {
    while (len > 0) {
      ChunkMapping c = chunks.lookup(logical);
      int n = (int) Math.min(len, c.end() - logical);
      ChunkWriter.write(c, devices, reads, logical, buf, off, n);
      logical += n;
      off += n;
      len -= n;
    }
  }
}
