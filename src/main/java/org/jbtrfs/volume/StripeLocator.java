package org.jbtrfs.volume;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Which device bytes a logical range is read from, for error reports: when a checksum fails, the
 * log names the device and the physical offset that returned the bad bytes, so an operator can tell
 * a failing disk from a bad cable or a bug. For copy profiles copy {@code mirror} is one stripe per
 * element; for RAID5/6 every mirror reproduces the data strip (mirror 0 reads it directly, the
 * others rebuild it from parity), so the data strip is the answer for all of them.
 */
public final class StripeLocator {
  private StripeLocator() {}

  /** The device pieces behind [logical, logical+len) of chunk {@code c} as copy {@code mirror}. */
  public static List<Placement> locate(ChunkMapping c, long logical, int len, int mirror)
      throws IOException {
    if (logical < c.logical() || logical + len > c.end()) {
      throw new IllegalArgumentException(
          "range " + logical + "+" + len + " outside chunk " + c.logical());
    }
    StripeGeometry g = new StripeGeometry(c);
    int copy = g.profile.hasParity() ? 0 : Math.min(mirror, g.profile.ncopies() - 1);
    List<Placement> out = new ArrayList<>();
    g.forEachPiece(
        logical,
        0,
        len,
        (element, inElem, bufOff, n) -> {
          long row = g.row(element);
          int stripe =
              g.profile.hasParity()
                  ? g.parityRowStripe(row, g.column(element))
                  : g.copyStripe(element, copy);
          out.add(new Placement(g.devid(stripe), g.physical(stripe, row, inElem), n));
        });
    return out;
  }
}
