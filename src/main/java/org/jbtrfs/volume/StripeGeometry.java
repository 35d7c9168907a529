package org.jbtrfs.volume;

import java.io.IOException;

/**
 * Where one stripe element (a stripeLen-sized unit of a chunk's logical space) lives, derived only
 * from the profile table fields and the chunk's stripe count, following the kernel's
 * btrfs_map_block:
 *
 * <ul>
 *   <li>Elements are dealt round-robin over {@code width} groups; a row is one pass over all
 *       groups, and row r occupies bytes [r*stripeLen, (r+1)*stripeLen) of every stripe.
 *   <li>Copy profiles (nparity = 0): a group is {@code ncopies} adjacent stripes holding the same
 *       bytes, so width = numStripes / ncopies (RAID0: every stripe, RAID1/DUP/C3/C4: 1 group,
 *       RAID10: pairs).
 *   <li>Parity profiles: width = numStripes - nparity data stripes per row, and the whole row
 *       rotates by one stripe per row: data i of row r is on stripe (r + i) % n, P follows the last
 *       data stripe, Q follows P.
 * </ul>
 */
final class StripeGeometry {
  final ChunkMapping chunk;
  final RaidProfile profile;
  final int numStripes;

  /** Data elements per row. */
  final int width;

  StripeGeometry(ChunkMapping chunk) {
    this.chunk = chunk;
    this.profile = chunk.profile();
    this.numStripes = chunk.numStripes();
    int usable = numStripes - profile.nparity();
    if (usable < 1 || usable % profile.ncopies() != 0) {
      throw new IllegalArgumentException(
          profile.displayName()
              + " chunk at "
              + chunk.logical()
              + " cannot have "
              + numStripes
              + " stripes");
    }
    this.width = usable / profile.ncopies();
  }

  /** One piece of a byte range that lies inside a single stripe element. */
  @FunctionalInterface
  interface ElementPiece {
    void accept(long element, long inElement, int bufOff, int len) throws IOException;
  }

  /**
   * Splits [logical, logical+len) of the chunk at stripe element boundaries and hands each piece,
   * in order, to {@code piece} together with where it sits in the caller's buffer (starting at
   * {@code bufOff}). Reads and writes both map bytes this way.
   */
  void forEachPiece(long logical, int bufOff, int len, ElementPiece piece) throws IOException {
    long stripeLen = chunk.stripeLen();
    long pos = logical - chunk.logical();
    while (len > 0) {
      long element = pos / stripeLen;
      long inElement = pos % stripeLen;
      int n = (int) Math.min(len, stripeLen - inElement);
      piece.accept(element, inElement, bufOff, n);
      pos += n;
      bufOff += n;
      len -= n;
    }
  }

  /** One device piece holding a copy of part of a byte range (copy and striped profiles). */
  @FunctionalInterface
  interface CopyPiece {
    void accept(int stripe, long physical, int bufOff, int len) throws IOException;
  }

  /**
   * Every copy of every piece of [logical, logical+len): all stripes for RAID1/C3/C4/DUP, the
   * element's stripe for RAID0, its mirror pair for RAID10. Writes and discards both go to all.
   */
  void forEachCopy(long logical, int bufOff, int len, CopyPiece piece) throws IOException {
    forEachPiece(
        logical,
        bufOff,
        len,
        (element, inElem, off, n) -> {
          for (int copy = 0; copy < profile.ncopies(); copy++) {
            int stripe = copyStripe(element, copy);
            piece.accept(stripe, physical(stripe, row(element), inElem), off, n);
          }
        });
  }

  long row(long element) {
    return element / width;
  }

  /** Position of the element inside its row: which data group / data stripe. */
  int column(long element) {
    return (int) (element % width);
  }

  /** Stripe index holding copy {@code copy} of an element, for copy profiles. */
  int copyStripe(long element, int copy) {
    return column(element) * profile.ncopies() + copy;
  }

  /**
   * Stripe index holding row position {@code pos} of row {@code row} for parity profiles: positions
   * 0..width-1 are data, width is P, width+1 is Q.
   */
  int parityRowStripe(long row, int pos) {
    return (int) ((row + pos) % numStripes);
  }

  long devid(int stripeIndex) {
    return chunk.stripes().get(stripeIndex).devid();
  }

  /** Physical byte on the stripe's device for a given row and offset inside the element. */
  long physical(int stripeIndex, long row, long inElement) {
    return chunk.stripes().get(stripeIndex).offset() + row * chunk.stripeLen() + inElement;
  }
}
