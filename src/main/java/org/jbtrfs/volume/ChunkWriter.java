package org.jbtrfs.volume;

import java.io.IOException;
import org.jbtrfs.format.UnsupportedFeatureException;

/**
 * Translates a logical write inside one chunk into device writes for every non-parity profile:
 * striped (RAID0, RAID10: each stripe element goes to its own device or mirror pair) and copies
 * (DUP, RAID1, RAID1C3, RAID1C4: every copy receives the bytes). Parity profiles need
 * read-modify-write of whole stripe rows and are refused.
 */
public final class ChunkWriter {
  private ChunkWriter() {}

  public static void write(
      ChunkMapping c, BlockSink sink, long logical, byte[] buf, int off, int len)
      throws IOException {
    if (logical < c.logical() || logical + len > c.end()) {
      throw new IllegalArgumentException(
          "write " + logical + "+" + len + " outside chunk " + c.logical());
    }
    StripeGeometry g = new StripeGeometry(c);
    if (g.profile.hasParity()) {
      throw new UnsupportedFeatureException(
          "writing to "
              + g.profile.displayName()
              + " chunks is not supported (RAID5/6 writes need parity updates, which jbtrfs does"
              + " not do)");
    }
    g.forEachPiece(
        logical,
        off,
        len,
        (element, inElem, bufOff, n) -> {
          // Every copy of the element: all stripes for RAID1/C3/C4/DUP, the element's stripe for
          // RAID0, and its mirror pair for RAID10.
          for (int copy = 0; copy < g.profile.ncopies(); copy++) {
            int stripe = g.copyStripe(element, copy);
            long devid = g.devid(stripe);
            // A missing device (degraded) simply misses this write, as in the kernel.
            if (sink.present(devid))
              sink.write(devid, g.physical(stripe, g.row(element), inElem), buf, bufOff, n);
          }
        });
  }
}
