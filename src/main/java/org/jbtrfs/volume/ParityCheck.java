package org.jbtrfs.volume;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Recomputes the P (and Q) of a RAID5/6 row from its data strips and compares them with the stored
 * parity, rewriting a stored parity that disagrees: after the data strips have been verified (and
 * repaired) against their checksums, the data is the truth and parity must follow it.
 */
public final class ParityCheck {
  private ParityCheck() {}

  /** A slice of one parity row: bytes [inElement, inElement+len) of each of its strips. */
  public record RowSlice(long row, long inElement) {}

  /** The row and in-strip offset holding logical byte {@code logical} of a parity chunk. */
  public static RowSlice sliceOf(ChunkMapping c, long logical) {
    StripeGeometry g = parityGeometry(c);
    long pos = logical - c.logical();
    long element = pos / c.stripeLen();
    return new RowSlice(g.row(element), pos % c.stripeLen());
  }

  /** A parity strip that disagreed with the data: which one (1 = P, 2 = Q) and where it is. */
  public record BadParity(int parity, long devid, long physical) {}

  /**
   * Checks [inElement, inElement+len) of row {@code row}; every stored parity that differs from the
   * recomputed one is returned and, when {@code sink} is not null, overwritten with it. Rows with a
   * missing device cannot be checked and yield nothing.
   */
  public static List<BadParity> check(
      ChunkMapping c, BlockSource src, BlockSink sink, long row, long inElement, int len)
      throws IOException {
    StripeGeometry g = parityGeometry(c);
    if (inElement < 0 || len <= 0 || inElement + len > c.stripeLen()) {
      throw new IllegalArgumentException("slice " + inElement + "+" + len + " outside a strip");
    }
    int nparity = g.profile.nparity();
    for (int pos = 0; pos < g.width + nparity; pos++) {
      if (!src.present(g.devid(g.parityRowStripe(row, pos)))) return List.of();
    }
    byte[][] data = new byte[g.width][];
    for (int i = 0; i < g.width; i++) data[i] = readPos(g, src, row, i, inElement, len);
    byte[] p = new byte[len];
    byte[] q = new byte[len];
    if (nparity > 1) Raid56Math.computePQ(data, 0, len, p, q);
    else Raid56Math.computeP(data, 0, len, p);
    List<BadParity> bad = new ArrayList<>();
    for (int k = 1; k <= nparity; k++) {
      byte[] want = k == 1 ? p : q;
      int pos = g.width + k - 1;
      byte[] stored = readPos(g, src, row, pos, inElement, len);
      if (Arrays.equals(stored, want)) continue;
      int s = g.parityRowStripe(row, pos);
      long physical = g.physical(s, row, inElement);
      bad.add(new BadParity(k, g.devid(s), physical));
      if (sink != null) {
        sink.atomically(() -> sink.write(g.devid(s), physical, want, 0, len));
      }
    }
    return bad;
  }

  private static StripeGeometry parityGeometry(ChunkMapping c) {
    if (!c.profile().hasParity()) {
      throw new IllegalArgumentException(c.profile().displayName() + " chunk has no parity");
    }
    return new StripeGeometry(c);
  }

  private static byte[] readPos(
      StripeGeometry g, BlockSource src, long row, int pos, long inElement, int len)
      throws IOException {
    int s = g.parityRowStripe(row, pos);
    byte[] b = new byte[len];
    src.read(g.devid(s), g.physical(s, row, inElement), b, 0, len);
    return b;
  }
}
