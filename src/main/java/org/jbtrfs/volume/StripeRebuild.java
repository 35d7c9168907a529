package org.jbtrfs.volume;

import java.io.IOException;

/**
 * The bytes one stripe of a chunk should hold, as a device replace copies them: read from the
 * stripe's own device, or, when that device is missing, fails, or should be spared (replace -r),
 * rebuilt from the others: a mirror's identical stripe for the copy profiles (RAID10: the other of
 * its pair), for RAID5/6 each row's element through the parity, or P and Q recomputed from the
 * row's data.
 */
public final class StripeRebuild {
  private StripeRebuild() {}

  /**
   * Reads [off, off+len) of stripe {@code stripe} (offsets inside the stripe, on its device) into
   * {@code out}. With {@code spareOwn}, the stripe's own device is read only when no other way
   * works.
   */
  public static void read(
      ChunkMapping c, int stripe, long off, byte[] out, int len, BlockSource src, boolean spareOwn)
      throws IOException {
    Stripe s = c.stripes().get(stripe);
    IOException direct = null;
    if (!spareOwn && src.present(s.devid())) {
      try {
        src.read(s.devid(), s.offset() + off, out, 0, len);
        return;
      } catch (IOException e) {
        direct = e;
      }
    }
    try {
      if (c.profile().hasParity()) rebuildParityStripe(c, stripe, off, out, len, src);
      else readMirror(c, stripe, off, out, len, src);
    } catch (IOException rebuild) {
      if (spareOwn && src.present(s.devid())) {
        src.read(s.devid(), s.offset() + off, out, 0, len);
        return;
      }
      if (direct != null) rebuild.addSuppressed(direct);
      throw rebuild;
    }
  }

  /**
   * The logical range [from, to) of chunk {@code c} whose data (or, for RAID5/6, whose rows' data)
   * bytes [off, off+len) of any stripe hold or protect: whole rows, so it may be wider.
   */
  public static long[] logicalSpan(ChunkMapping c, long off, long len) {
    StripeGeometry g = new StripeGeometry(c);
    long stripeLen = c.stripeLen();
    long rowBytes = (long) g.width * stripeLen;
    long firstRow = off / stripeLen;
    long lastRow = (off + len - 1) / stripeLen;
    return new long[] {
      c.logical() + firstRow * rowBytes, Math.min(c.end(), c.logical() + (lastRow + 1) * rowBytes)
    };
  }

  /** Copy profiles: the same bytes at the same place of another stripe of its mirror group. */
  private static void readMirror(
      ChunkMapping c, int stripe, long off, byte[] out, int len, BlockSource src)
      throws IOException {
    int copies = c.profile().ncopies();
    if (copies < 2) {
      throw new IOException(
          c.profile().displayName()
              + " chunk "
              + c.logical()
              + " has no other copy of stripe "
              + stripe);
    }
    // RAID10's mirror groups are consecutive runs of sub_stripes stripes; every other copy
    // profile is one group of all its stripes.
    int group = c.profile().subStripes() > 1 ? c.subStripes() : c.numStripes();
    int first = stripe / group * group;
    IOException last = null;
    for (int j = first; j < first + group; j++) {
      Stripe m = c.stripes().get(j);
      if (j == stripe || !src.present(m.devid())) continue;
      try {
        src.read(m.devid(), m.offset() + off, out, 0, len);
        return;
      } catch (IOException e) {
        last = e;
      }
    }
    throw last != null
        ? last
        : new IOException("no present copy of stripe " + stripe + " of chunk " + c.logical());
  }

  /** RAID5/6: element by element, the stripe's data rebuilt or its P/Q recomputed per row. */
  private static void rebuildParityStripe(
      ChunkMapping c, int stripe, long off, byte[] out, int len, BlockSource src)
      throws IOException {
    StripeGeometry g = new StripeGeometry(c);
    ParityRowReader rows = new ParityRowReader(g, src);
    long stripeLen = c.stripeLen();
    for (int done = 0; done < len; ) {
      long at = off + done;
      long row = at / stripeLen;
      long inElem = at % stripeLen;
      int n = (int) Math.min(len - done, stripeLen - inElem);
      int pos = (int) Math.floorMod(stripe - row, (long) g.numStripes);
      byte[] piece = new byte[n];
      if (pos < g.width) {
        // Through P (or Q): the stripe's own element counts as lost even if its device is there.
        try {
          rows.read(row, pos, inElem, piece, 0, n, ParityRowReader.Mode.VIA_P);
        } catch (IOException viaP) {
          if (g.profile.nparity() < 2) throw viaP;
          rows.read(row, pos, inElem, piece, 0, n, ParityRowReader.Mode.VIA_Q);
        }
      } else {
        byte[][] data = new byte[g.width][];
        for (int col = 0; col < g.width; col++) {
          data[col] = new byte[n];
          rows.read(row, col, inElem, data[col], 0, n, ParityRowReader.Mode.DIRECT_OR_ANY);
        }
        if (pos == g.width) {
          Raid56Math.computeP(data, 0, n, piece);
        } else {
          Raid56Math.computeQ(data, 0, n, piece);
        }
      }
      System.arraycopy(piece, 0, out, done, n);
      done += n;
    }
  }
}
