package org.jbtrfs.volume;

import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes into a RAID5/6 chunk one row at a time, keeping P (and Q) equal to the data as it is on
 * the devices. A write that covers a row's whole data computes the parity from the new data alone
 * and reads nothing (a full-stripe write). Otherwise, only over the byte range of the elements it
 * touches, it reads the row's other data from the devices, merges the new bytes in, and rewrites
 * the touched data and the parity (read-modify-write). Rows are locked one at a time, so two writes
 * to one row never compute parity from each other's half-written data.
 *
 * <p>A row a write only partly covers may hold other data; that this never puts data committed by
 * an earlier transaction at risk (the RAID5/6 write hole) is the allocator's business: it places
 * new data only in rows that are empty or were first written in the running transaction (see
 * BlockGroups).
 */
final class ParityRowWriter {
  private static final int LOCKS = 1024;
  private static final ReentrantLock[] ROW_LOCKS = new ReentrantLock[LOCKS];

  static {
    for (int i = 0; i < LOCKS; i++) ROW_LOCKS[i] = new ReentrantLock();
  }

  private final StripeGeometry g;
  private final BlockSink sink;
  private final BlockSource source;
  private final int stripeLen;

  ParityRowWriter(StripeGeometry g, BlockSink sink, BlockSource source) {
    this.g = g;
    this.sink = sink;
    this.source = source;
    this.stripeLen = (int) g.chunk.stripeLen();
  }

  /** Writes buf[off..off+len) at {@code logical}, which lies inside the chunk. */
  void write(long logical, byte[] buf, int off, int len) throws IOException {
    long rowBytes = (long) g.width * stripeLen;
    long pos = logical - g.chunk.logical();
    while (len > 0) {
      long row = pos / rowBytes;
      int inRow = (int) (pos % rowBytes);
      int n = (int) Math.min(len, rowBytes - inRow);
      ReentrantLock lock = ROW_LOCKS[lockIndex(row)];
      lock.lock();
      try {
        writeRow(row, inRow, buf, off, n);
      } finally {
        lock.unlock();
      }
      pos += n;
      off += n;
      len -= n;
    }
  }

  private int lockIndex(long row) {
    long key = g.chunk.logical() * 31 + row;
    return (int) ((key ^ (key >>> 29)) & (LOCKS - 1));
  }

  /** The row's data bytes [inRow, inRow+n) come from buf[off..). */
  private void writeRow(long row, int inRow, byte[] buf, int off, int n) throws IOException {
    // Parity is recomputed over the in-element range the write touches: its own range inside one
    // element, the whole element height when it crosses elements.
    int firstCol = inRow / stripeLen;
    int lastCol = (inRow + n - 1) / stripeLen;
    int lo = firstCol == lastCol ? inRow % stripeLen : 0;
    int hi = firstCol == lastCol ? (inRow + n - 1) % stripeLen + 1 : stripeLen;
    int span = hi - lo;
    byte[][] data = new byte[g.width][];
    for (int col = 0; col < g.width; col++) {
      data[col] = new byte[span];
      int colStart = col * stripeLen + lo;
      int colEnd = col * stripeLen + hi;
      int from = Math.max(colStart, inRow);
      int to = Math.min(colEnd, inRow + n);
      boolean whole = from <= colStart && to >= colEnd;
      if (!whole) readData(row, col, lo, data[col], 0, span);
      if (from < to)
        System.arraycopy(buf, off + (from - inRow), data[col], from - colStart, to - from);
    }
    for (int col = firstCol; col <= lastCol; col++) {
      int from = Math.max(col * stripeLen, inRow);
      int to = Math.min((col + 1) * stripeLen, inRow + n);
      int inElem = from - col * stripeLen;
      writeStrip(row, col, inElem, data[col], inElem - lo, to - from);
    }
    byte[] p = new byte[span];
    if (g.profile.nparity() > 1) {
      byte[] q = new byte[span];
      Raid56Math.computePQ(data, 0, span, p, q);
      writeStrip(row, g.width, lo, p, 0, span);
      writeStrip(row, g.width + 1, lo, q, 0, span);
    } else {
      Raid56Math.computeP(data, 0, span, p);
      writeStrip(row, g.width, lo, p, 0, span);
    }
  }

  /**
   * The row's data in column {@code col}, as it is: from its device, or rebuilt from the rest of
   * the row and the parity when that device is missing (a degraded mount).
   */
  private void readData(long row, int col, int inElem, byte[] out, int outOff, int len)
      throws IOException {
    new ParityRowReader(g, source)
        .read(row, col, inElem, out, outOff, len, ParityRowReader.Mode.DIRECT_OR_ANY);
  }

  /**
   * Row position {@code pos} (data column, then P, then Q) gets buf[off..off+len). A missing device
   * misses its strip, as in the kernel: the parity written beside it was computed with the strip's
   * data, so a read rebuilds it, and a scrub rewrites it once the device is back.
   */
  private void writeStrip(long row, int pos, int inElem, byte[] buf, int off, int len)
      throws IOException {
    int stripe = g.parityRowStripe(row, pos);
    long devid = g.devid(stripe);
    if (!sink.accepts(devid)) return;
    sink.write(devid, g.physical(stripe, row, inElem), buf, off, len);
  }
}
