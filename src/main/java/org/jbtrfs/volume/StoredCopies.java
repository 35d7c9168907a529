package org.jbtrfs.volume;

import java.io.IOException;
import java.util.List;

/**
 * The bytes of a logical range exactly as one stored copy holds them, for a scrub that must look at
 * (and repair) each copy on its own rather than take the first good one as a read does. Copy
 * profiles store {@code ncopies} copies; RAID5/6 store one (the data strips), and their parity is
 * reached through {@link #rebuild} and checked by {@link ParityCheck}.
 */
public final class StoredCopies {
  private StoredCopies() {}

  public static int count(ChunkMapping c) {
    return c.profile().hasParity() ? 1 : c.profile().ncopies();
  }

  /** Where copy {@code copy} of the range lives: one piece per stripe element it touches. */
  public static List<Placement> placements(ChunkMapping c, long logical, int len, int copy)
      throws IOException {
    return StripeLocator.locate(c, logical, len, copy);
  }

  /** Whether every device behind copy {@code copy} of the range is present. */
  public static boolean present(ChunkMapping c, BlockSource src, long logical, int len, int copy)
      throws IOException {
    for (Placement p : placements(c, logical, len, copy)) if (!src.present(p.devid())) return false;
    return true;
  }

  /** Reads copy {@code copy} as stored, with no fallback: a bad copy must show as bad. */
  public static void read(
      ChunkMapping c, BlockSource src, long logical, byte[] buf, int off, int len, int copy)
      throws IOException {
    int pos = off;
    for (Placement p : placements(c, logical, len, copy)) {
      src.read(p.devid(), p.physical(), buf, pos, p.len());
      pos += p.len();
    }
  }

  /** Overwrites copy {@code copy} only; the other copies (and RAID5/6 parity) are not touched. */
  public static void write(
      ChunkMapping c, BlockSink sink, long logical, byte[] buf, int off, int len, int copy)
      throws IOException {
    List<Placement> where = placements(c, logical, len, copy);
    sink.atomically(
        () -> {
          int pos = off;
          for (Placement p : where) {
            sink.write(p.devid(), p.physical(), buf, pos, p.len());
            pos += p.len();
          }
        });
  }

  /** How many parity rebuilds a RAID5/6 range has (1 for P, 2 with Q); 0 for copy profiles. */
  public static int rebuilds(ChunkMapping c) {
    return c.profile().nparity();
  }

  /**
   * Rebuilds the data strips of the range from the row's other strips and parity {@code parity} (1
   * = P, 2 = Q), without reading the data strips themselves: what a bad strip should hold.
   */
  public static void rebuild(
      ChunkMapping c, BlockSource src, long logical, byte[] buf, int off, int len, int parity)
      throws IOException {
    if (parity < 1 || parity > rebuilds(c)) {
      throw new IllegalArgumentException("parity " + parity + " of " + rebuilds(c));
    }
    ChunkReader.read(c, src, logical, buf, off, len, parity);
  }
}
