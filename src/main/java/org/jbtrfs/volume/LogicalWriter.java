package org.jbtrfs.volume;

import java.io.IOException;

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
