package org.jbtrfs.volume;

import java.io.IOException;

/**
 * Translates logical reads inside one chunk into device reads, per copy ("mirror"). Checksum
 * verification and trying successive mirrors is the caller's business.
 */
public final class ChunkReader {
  private ChunkReader() {}

  /**
   * Distinct ways to obtain the same logical bytes: the copies of a copy profile, or for RAID5/6
   * the direct read plus one rebuild per parity (P, then Q).
   */
  public static int numMirrors(ChunkMapping c) {
    RaidProfile p = c.profile();
    return p.hasParity() ? 1 + p.nparity() : p.ncopies();
  }

  /**
   * Reads [logical, logical+len) of the chunk into buf[off..off+len) using copy {@code mirror}
   * (0-based). A missing device behind the chosen copy raises IOException, except RAID5/6 mirror 0,
   * which rebuilds around missing devices by itself.
   */
  public static void read(
      ChunkMapping c, BlockSource src, long logical, byte[] buf, int off, int len, int mirror)
      throws IOException {
    if (len < 0 || off < 0 || off + len > buf.length) {
      throw new IndexOutOfBoundsException("buffer range " + off + "+" + len);
    }
    if (logical < c.logical() || logical + len > c.end()) {
      throw new IllegalArgumentException(
          "range " + logical + "+" + len + " outside chunk [" + c.logical() + ", " + c.end() + ")");
    }
    int mirrors = numMirrors(c);
    if (mirror < 0 || mirror >= mirrors) {
      throw new IllegalArgumentException("mirror " + mirror + " of " + mirrors);
    }
    StripeGeometry g = new StripeGeometry(c);
    ParityRowReader parity = g.profile.hasParity() ? new ParityRowReader(g, src) : null;
    g.forEachPiece(
        logical,
        off,
        len,
        (element, inElem, bufOff, n) -> {
          if (parity != null) {
            parity.read(
                g.row(element),
                g.column(element),
                inElem,
                buf,
                bufOff,
                n,
                ParityRowReader.Mode.values()[mirror]);
          } else {
            readCopy(g, src, element, inElem, buf, bufOff, n, mirror);
          }
        });
  }

  /**
   * RAID6 only: how many more rebuilds a read may try when every mirror failed its checks: one per
   * other data column of the row, rebuilt together with the target from P and Q (two bad strips in
   * one place); 0 for every other profile.
   */
  public static int twoStripRebuilds(ChunkMapping c) {
    return c.profile().nparity() == 2 ? new StripeGeometry(c).width - 1 : 0;
  }

  /**
   * Rebuild {@code k} (0 to twoStripRebuilds - 1) of [logical, logical+len), which lies in one
   * element: the target and the k-th other data column of its row counted as lost.
   */
  public static void readTwoStripRebuild(
      ChunkMapping c, BlockSource src, long logical, byte[] buf, int off, int len, int k)
      throws IOException {
    StripeGeometry g = new StripeGeometry(c);
    if (k < 0 || k >= twoStripRebuilds(c)) throw new IllegalArgumentException("rebuild " + k);
    long pos = logical - c.logical();
    long element = pos / c.stripeLen();
    long inElem = pos % c.stripeLen();
    if (inElem + len > c.stripeLen()) {
      throw new IllegalArgumentException("range " + logical + "+" + len + " crosses an element");
    }
    int target = g.column(element);
    int partner = k < target ? k : k + 1;
    new ParityRowReader(g, src)
        .readAssumingLost(g.row(element), target, partner, inElem, buf, off, len);
  }

  private static void readCopy(
      StripeGeometry g,
      BlockSource src,
      long element,
      long inElem,
      byte[] buf,
      int off,
      int len,
      int copy)
      throws IOException {
    int s = g.copyStripe(element, copy);
    long devid = g.devid(s);
    if (!src.present(devid)) {
      throw new IOException(
          "device "
              + devid
              + " missing ("
              + g.profile.displayName()
              + " chunk "
              + g.chunk.logical()
              + ", copy "
              + copy
              + ")");
    }
    src.read(devid, g.physical(s, g.row(element), inElem), buf, off, len);
  }
}
