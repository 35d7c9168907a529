package org.jbtrfs.volume;

import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.Superblock;

/**
 * The logical ranges of a chunk that sit on a superblock copy (64 KiB, 64 MiB, 256 GiB on every
 * device). Nothing may ever be allocated there: the next commit would overwrite it.
 */
public final class SuperblockExclusion {
  private SuperblockExclusion() {}

  /** Logical [start, start+length) pairs of {@code c} that overlap a superblock copy. */
  public static List<long[]> excludedRanges(ChunkMapping c) {
    List<long[]> out = new ArrayList<>();
    StripeGeometry g = new StripeGeometry(c);
    long stripeLen = c.stripeLen();
    long perStripe = c.length() / g.width;
    for (int s = 0; s < c.numStripes(); s++) {
      long begin = c.stripes().get(s).offset();
      long end = begin + perStripe;
      for (long sb : Superblock.MIRROR_OFFSETS) {
        long from = Math.max(sb, begin);
        long to = Math.min(sb + Superblock.SIZE, end);
        if (from >= to) continue;
        long rel = from - begin;
        long row = rel / stripeLen;
        long inElem = rel % stripeLen;
        if (g.profile.hasParity()) {
          // Whole rows of a parity chunk: every data element of the row shares the stripe offset.
          out.add(new long[] {c.logical() + row * g.width * stripeLen, g.width * stripeLen});
        } else {
          long element = row * g.width + s / g.profile.ncopies();
          out.add(new long[] {c.logical() + element * stripeLen + inElem, to - from});
        }
      }
    }
    return out;
  }
}
