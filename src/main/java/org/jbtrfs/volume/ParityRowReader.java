package org.jbtrfs.volume;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads or rebuilds one slice of a RAID5/6 data element. A rebuild reads the same in-element range
 * of every needed stripe of the row, then applies {@link Raid56Math}.
 */
final class ParityRowReader {
  /** How the caller wants the target obtained; mirrors 0, 1, 2 of a parity chunk. */
  enum Mode {
    DIRECT_OR_ANY,
    VIA_P,
    VIA_Q
  }

  private final StripeGeometry g;
  private final BlockSource src;

  ParityRowReader(StripeGeometry g, BlockSource src) {
    this.g = g;
    this.src = src;
  }

  void read(long row, int target, long inElem, byte[] buf, int off, int len, Mode mode)
      throws IOException {
    int w = g.width;
    int pPos = w;
    int qPos = w + 1;
    boolean hasQ = g.profile.nparity() > 1;
    if (mode == Mode.DIRECT_OR_ANY && available(row, target)) {
      int s = g.parityRowStripe(row, target);
      src.read(g.devid(s), g.physical(s, row, inElem), buf, off, len);
      return;
    }
    List<Integer> lost = new ArrayList<>();
    lost.add(target);
    for (int i = 0; i < w; i++) {
      if (i != target && !available(row, i)) {
        lost.add(i);
      }
    }
    boolean pOk = available(row, pPos);
    boolean qOk = hasQ && available(row, qPos);
    Recovery how = choose(mode, lost.size(), pOk, qOk);
    if (how == null) {
      throw new IOException(describeFailure(row, mode, lost, pOk, qOk));
    }

    byte[][] data = new byte[w][];
    for (int i = 0; i < w; i++) {
      data[i] = new byte[len];
      if (!lost.contains(i)) {
        readPos(row, i, inElem, data[i]);
      }
    }
    byte[] p = null;
    byte[] q = null;
    if (how != Recovery.Q_ONLY) {
      p = new byte[len];
      readPos(row, pPos, inElem, p);
    }
    if (how != Recovery.P_ONLY) {
      q = new byte[len];
      readPos(row, qPos, inElem, q);
    }
    switch (how) {
      case P_ONLY -> Raid56Math.recoverOneWithP(data, target, 0, len, p);
      case Q_ONLY -> Raid56Math.recoverWithQ(data, target, 0, len, q);
      case P_AND_Q -> Raid56Math.recoverTwoData(data, lost.get(0), lost.get(1), 0, len, p, q);
    }
    System.arraycopy(data[target], 0, buf, off, len);
  }

  /**
   * RAID6: the target rebuilt from P and Q as if data column {@code partner} were lost with it, for
   * when both hold bad bytes (checksums tell, so the caller tries each partner and keeps the one
   * that verifies, as the kernel's RAID6 recovery tries each other stripe). Needs every other
   * column, P and Q present.
   */
  void readAssumingLost(
      long row, int target, int partner, long inElem, byte[] buf, int off, int len)
      throws IOException {
    int w = g.width;
    if (g.profile.nparity() < 2 || partner == target || partner < 0 || partner >= w) {
      throw new IllegalArgumentException("no two-column rebuild of column " + target);
    }
    byte[][] data = new byte[w][];
    for (int i = 0; i < w; i++) {
      data[i] = new byte[len];
      if (i != target && i != partner) {
        if (!available(row, i))
          throw new IOException(
              describeFailure(row, Mode.VIA_Q, List.of(target, partner, i), true, true));
        readPos(row, i, inElem, data[i]);
      }
    }
    if (!available(row, w) || !available(row, w + 1)) {
      throw new IOException(
          describeFailure(
              row, Mode.VIA_Q, List.of(target, partner), available(row, w), available(row, w + 1)));
    }
    byte[] p = new byte[len];
    byte[] q = new byte[len];
    readPos(row, w, inElem, p);
    readPos(row, w + 1, inElem, q);
    Raid56Math.recoverTwoData(data, target, partner, 0, len, p, q);
    System.arraycopy(data[target], 0, buf, off, len);
  }

  private enum Recovery {
    P_ONLY,
    Q_ONLY,
    P_AND_Q
  }

  /**
   * Picks the recovery. VIA_P insists on P with a single loss (the "rebuild from parity" mirror);
   * VIA_Q acts as if P were gone too unless a second data loss makes P indispensable; DIRECT_OR_ANY
   * takes whatever works, preferring the cheap P path.
   */
  private static Recovery choose(Mode mode, int lostData, boolean pOk, boolean qOk) {
    if (lostData == 2) {
      return mode != Mode.VIA_P && pOk && qOk ? Recovery.P_AND_Q : null;
    }
    if (lostData != 1) {
      return null;
    }
    return switch (mode) {
      case VIA_P -> pOk ? Recovery.P_ONLY : null;
      case VIA_Q -> qOk ? Recovery.Q_ONLY : null;
      case DIRECT_OR_ANY -> pOk ? Recovery.P_ONLY : qOk ? Recovery.Q_ONLY : null;
    };
  }

  private boolean available(long row, int pos) {
    return src.present(g.devid(g.parityRowStripe(row, pos)));
  }

  private void readPos(long row, int pos, long inElem, byte[] into) throws IOException {
    int s = g.parityRowStripe(row, pos);
    src.read(g.devid(s), g.physical(s, row, inElem), into, 0, into.length);
  }

  private String describeFailure(
      long row, Mode mode, List<Integer> lost, boolean pOk, boolean qOk) {
    StringBuilder sb = new StringBuilder();
    sb.append(g.profile.displayName())
        .append(" chunk ")
        .append(g.chunk.logical())
        .append(" row ")
        .append(row)
        .append(": cannot rebuild (")
        .append(mode)
        .append("); missing data devices");
    for (int i : lost) {
      long devid = g.devid(g.parityRowStripe(row, i));
      if (!src.present(devid)) {
        sb.append(" device ").append(devid).append(" missing");
      }
    }
    sb.append(pOk ? "" : "; P device missing");
    if (g.profile.nparity() > 1) {
      sb.append(qOk ? "" : "; Q device missing");
    }
    return sb.toString();
  }
}
