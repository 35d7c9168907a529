package org.jbtrfs.volume;

import java.io.IOException;

/** Reads the logical address space through the chunk map, one mirror at a time. */
public final class LogicalReader {
  private final ChunkMap chunks;
  private final BlockSource devices;

  public LogicalReader(ChunkMap chunks, BlockSource devices) {
    this.chunks = chunks;
    this.devices = devices;
  }

  public ChunkMap chunks() {
    return chunks;
  }

  /** How many independent copies (or parity reconstructions) exist for {@code logical}. */
  public int mirrors(long logical) throws IOException {
    return ChunkReader.numMirrors(chunks.lookup(logical));
  }

  /** Reads {@code len} bytes from copy {@code mirror}; the range may cross chunk boundaries. */
  public void read(long logical, byte[] buf, int off, int len, int mirror) throws IOException {
    while (len > 0) {
      ChunkMapping c = chunks.lookup(logical);
      int n = (int) Math.min(len, c.end() - logical);
      ChunkReader.read(
          c, devices, logical, buf, off, n, Math.min(mirror, ChunkReader.numMirrors(c) - 1));
      logical += n;
      off += n;
      len -= n;
    }
  }
}
