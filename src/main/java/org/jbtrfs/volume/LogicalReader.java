package org.jbtrfs.volume;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

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

  /**
   * Where copy {@code mirror} of [logical, logical+len) lives on the devices (see {@link
   * StripeLocator}); the range may cross chunk boundaries.
   */
  public List<Placement> locate(long logical, int len, int mirror) throws IOException {
    List<Placement> out = new ArrayList<>();
    while (len > 0) {
      ChunkMapping c = chunks.lookup(logical);
      int n = (int) Math.min(len, c.end() - logical);
      out.addAll(StripeLocator.locate(c, logical, n, mirror));
      logical += n;
      len -= n;
    }
    return out;
  }

  /**
   * "devid D (PATH) physical P" for each device piece behind copy {@code mirror} of the range: what
   * a checksum failure names so the failing device can be found. Never throws: a range the chunk
   * map cannot place is reported as such.
   */
  public String describe(long logical, int len, int mirror) {
    try {
      StringBuilder b = new StringBuilder();
      for (Placement p : locate(logical, len, mirror)) {
        if (b.length() > 0) b.append(", ");
        String name = devices.deviceName(p.devid());
        b.append("devid ").append(p.devid());
        if (name != null) b.append(" (").append(name).append(')');
        b.append(" physical ").append(p.physical());
      }
      return b.toString();
    } catch (IOException | RuntimeException e) {
      return "no device location (" + e.getMessage() + ")";
    }
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
