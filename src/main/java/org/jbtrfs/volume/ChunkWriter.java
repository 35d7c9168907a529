package org.jbtrfs.volume;

import java.io.IOException;

/**
 * Translates a logical write inside one chunk into device writes: striped (RAID0, RAID10: each
 * stripe element goes to its own device or mirror pair), copies (DUP, RAID1, RAID1C3, RAID1C4:
 * every copy receives the bytes), and parity (RAID5, RAID6: rows with their P and Q, see
 * ParityRowWriter; the source is read for a row's other data when a write covers only part of it).
 */
public final class ChunkWriter {
  private ChunkWriter() {}

  public static void write(
      ChunkMapping c,
      BlockSink sink,
      BlockSource source,
      long logical,
      byte[] buf,
      int off,
      int len)
      throws IOException {
    if (logical < c.logical() || logical + len > c.end()) {
      throw new IllegalArgumentException(
          "write " + logical + "+" + len + " outside chunk " + c.logical());
    }
    StripeGeometry g = new StripeGeometry(c);
    sink.atomically(
        () -> {
          if (g.profile.hasParity()) {
            new ParityRowWriter(g, sink, source).write(logical, buf, off, len);
            return;
          }
          g.forEachCopy(
              logical,
              off,
              len,
              (stripe, physical, bufOff, n) -> {
                long devid = g.devid(stripe);
                // A missing device (degraded) simply misses this write, as in the kernel.
                if (sink.accepts(devid)) sink.write(devid, physical, buf, bufOff, n);
              });
        });
  }
}
