package org.jbtrfs.volume;

import java.io.IOException;
import org.jbtrfs.format.UnsupportedFeatureException;

/**
 * Translates a logical write inside one chunk into device writes: every copy of a copy profile
 * (SINGLE, DUP, RAID0, RAID1, RAID1C3, RAID1C4, RAID10) receives the bytes. Parity profiles need
 * read-modify-write of whole stripe rows and are refused until that lands.
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
          "writing to " + g.profile.displayName() + " chunks is not supported yet");
    }
    long stripeLen = c.stripeLen();
    long pos = logical - c.logical();
    while (len > 0) {
      long element = pos / stripeLen;
      long inElem = pos % stripeLen;
      int n = (int) Math.min(len, stripeLen - inElem);
      for (int copy = 0; copy < g.profile.ncopies(); copy++) {
        int stripe = g.copyStripe(element, copy);
        long devid = g.devid(stripe);
        // A missing device (degraded) simply misses this write, as in the kernel.
        if (sink.present(devid))
          sink.write(devid, g.physical(stripe, g.row(element), inElem), buf, off, n);
      }
      pos += n;
      off += n;
      len -= n;
    }
  }
}
