package org.jbtrfs.txn;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.fs.DataOverlay;

/**
 * Data extents allocated and recorded in the trees but not yet written to the devices (the kernel's
 * ordered extents, in spirit). Writeback only queues its data here while it holds the mount's write
 * lock; the thread that queued it writes it after letting the lock go, so the device I/O of a
 * writeback keeps neither readers nor other writers waiting. Until a write has landed, reads of its
 * range are served from memory ({@link DataOverlay}), and every commit writes all of it before any
 * tree block. An extent freed before its data landed has its write dropped (or waited for), so the
 * space can never be reused under a write still on its way.
 */
final class PendingData implements DataOverlay {
  /** Above this much queued data, the queuing thread writes it at once (bounded memory). */
  static final long MAX_QUEUED = 128L << 20;

  private enum State {
    QUEUED,
    RUNNING,
    DONE,
    FAILED
  }

  private static final class Write {
    final long logical;
    final byte[] buf;
    final int len;
    State state = State.QUEUED;

    Write(long logical, byte[] buf, int len) {
      this.logical = logical;
      this.buf = buf;
      this.len = len;
    }

    long end() {
      return logical + len;
    }
  }

  /** Where the data finally goes: every copy of its chunk. */
  interface Target {
    void write(long logical, byte[] buf, int off, int len) throws IOException;
  }

  private final Target writer;
  private final TreeMap<Long, Write> byStart = new TreeMap<>();
  private final Deque<Write> queue = new ArrayDeque<>();
  private long queuedBytes;
  private IOException failure;

  PendingData(Target writer) {
    this.writer = writer;
  }

  /**
   * Queues {@code len} bytes of {@code buf} for {@code logical}; the buffer is ours from now. A
   * write over a range still on its way (nodatacow data overwritten in place) first waits for the
   * older write to land, writing it here if nobody has started it: the newer bytes must land last,
   * and pending writes never overlap, so reads served from memory stay unambiguous.
   */
  void add(long logical, byte[] buf, int len) throws IOException {
    boolean full;
    while (true) {
      List<Write> older = new ArrayList<>();
      synchronized (this) {
        List<Write> hit = overlapping(logical, logical + len);
        // A failed write stays in place (its range never landed): nothing may go over it.
        if (!hit.isEmpty() && failure != null)
          throw new IOException("an earlier data write failed", failure);
        if (hit.isEmpty()) {
          Write w = new Write(logical, buf, len);
          byStart.put(logical, w);
          queue.addLast(w);
          queuedBytes += len;
          full = queuedBytes > MAX_QUEUED;
          break;
        }
        for (Write w : hit) {
          if (w.state != State.QUEUED) continue;
          queue.remove(w);
          queuedBytes -= w.len;
          w.state = State.RUNNING;
          older.add(w);
        }
        if (older.isEmpty()) {
          // Only writes other threads are making: wait for them, then look again.
          waitForChange();
          continue;
        }
      }
      for (Write w : older) run(w);
    }
    if (full) drain();
  }

  /** Writes every queued write, one at a time in queue order, in the calling thread. */
  void drain() throws IOException {
    while (true) {
      Write w;
      synchronized (this) {
        if (failure != null) throw new IOException("an earlier data write failed", failure);
        w = queue.pollFirst();
        if (w == null) return;
        w.state = State.RUNNING;
        queuedBytes -= w.len;
      }
      run(w);
    }
  }

  /** Makes write {@code w}, which the caller marked RUNNING. */
  private void run(Write w) throws IOException {
    try {
      writer.write(w.logical, w.buf, 0, w.len);
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        w.state = State.FAILED;
        if (failure == null) failure = e instanceof IOException io ? io : new IOException(e);
        notifyAll();
      }
      throw e;
    }
    synchronized (this) {
      w.state = State.DONE;
      byStart.remove(w.logical, w);
      notifyAll();
    }
  }

  /** Caller holds the monitor. */
  private void waitForChange() throws IOException {
    try {
      wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while data was being written", e);
    }
  }

  /** Writes everything queued and waits for writes other threads are making (a commit). */
  void drainAndWait() throws IOException {
    drain();
    synchronized (this) {
      while (!byStart.isEmpty() && failure == null) {
        try {
          wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while data was being written", e);
        }
      }
      if (failure != null) throw new IOException("a data write failed", failure);
    }
  }

  /**
   * [start, start+len) was freed before the commit (it may be allocated again at once): queued
   * writes into it are dropped, and one under way is waited for.
   */
  synchronized void cancel(long start, long len) {
    long end = start + len;
    while (true) {
      boolean running = false;
      List<Write> hit = overlapping(start, end);
      for (Write w : hit) {
        if (w.state == State.RUNNING) {
          running = true;
        } else if (w.state == State.QUEUED) {
          queue.remove(w);
          queuedBytes -= w.len;
          byStart.remove(w.logical, w);
        }
      }
      if (!running) return;
      try {
        wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Writes overlapping [start, end), oldest first. Caller holds the monitor. */
  private List<Write> overlapping(long start, long end) {
    List<Write> out = new ArrayList<>();
    Map.Entry<Long, Write> floor = byStart.floorEntry(start);
    if (floor != null && floor.getValue().end() > start) out.add(floor.getValue());
    for (Write w : byStart.subMap(start, false, end, false).values()) out.add(w);
    return out;
  }

  @Override
  public synchronized boolean overlaps(long logical, int len) {
    if (byStart.isEmpty()) return false;
    return !overlapping(logical, logical + len).isEmpty();
  }

  @Override
  public synchronized boolean[] copy(long logical, byte[] out, int off, int len, int sectorSize) {
    List<Write> hit = overlapping(logical, logical + len);
    if (hit.isEmpty()) return null;
    boolean[] covered = new boolean[len / sectorSize];
    for (Write w : hit) {
      long from = Math.max(logical, w.logical);
      long to = Math.min(logical + len, w.end());
      System.arraycopy(
          w.buf, (int) (from - w.logical), out, off + (int) (from - logical), (int) (to - from));
      for (long s = from; s < to; s += sectorSize)
        covered[(int) ((s - logical) / sectorSize)] = true;
    }
    return covered;
  }

  synchronized boolean isEmpty() {
    return byStart.isEmpty();
  }
}
