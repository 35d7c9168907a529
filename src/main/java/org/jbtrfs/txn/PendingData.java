package org.jbtrfs.txn;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 *
 * <p>Data bound for a RAID5/6 chunk is written in whole parity rows where it can be: contiguous
 * queued writes go out as one, and the part of a run that only partly fills its last row stays
 * queued (served from memory) until later writes complete the row or a commit writes everything. A
 * row written whole needs no reads for its parity; one written piece by piece would read the rest
 * of the row and rewrite its parity once per piece. Holding data back until the commit costs no
 * durability: nothing refers to it on disk before that commit's superblock.
 */
final class PendingData implements DataOverlay {
  /** Above this much queued data, the queuing thread writes it at once (bounded memory). */
  static final long MAX_QUEUED = 128L << 20;

  /** The most bytes one combined write carries (a bound on the buffer it is copied into). */
  static final int MAX_RUN = 16 << 20;

  private enum State {
    QUEUED,
    RUNNING,
    DONE,
    FAILED
  }

  private static final class Write {
    final long logical;
    final byte[] buf;
    final int off;
    final int len;
    State state = State.QUEUED;

    Write(long logical, byte[] buf, int off, int len) {
      this.logical = logical;
      this.buf = buf;
      this.off = off;
      this.len = len;
    }

    long end() {
      return logical + len;
    }
  }

  /** Where the data finally goes: every copy of its chunk. */
  interface Target {
    void write(long logical, byte[] buf, int off, int len) throws IOException;

    /**
     * For data ending at {@code end} in a RAID5/6 chunk, the last parity-row boundary at or before
     * it; -1 where the data goes to a profile without parity (nothing is held back or combined).
     */
    default long parityRowFloor(long end) {
      return -1;
    }
  }

  private final Target writer;
  private final TreeMap<Long, Write> byStart = new TreeMap<>();

  /** Queued writes not yet looked at, oldest first. */
  private final LinkedHashSet<Write> queue = new LinkedHashSet<>();

  /**
   * Queued writes that only partly fill their RAID5/6 row, waiting for a neighbour (a new write
   * next to them, which takes them along) or a commit. Kept apart so a drain looks at each write
   * once, not at every waiting one again.
   */
  private final Set<Write> held = new HashSet<>();

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
          Write w = new Write(logical, buf, 0, len);
          byStart.put(logical, w);
          queue.add(w);
          queuedBytes += len;
          full = queuedBytes > MAX_QUEUED;
          break;
        }
        for (Write w : hit) {
          if (w.state != State.QUEUED) continue;
          queue.remove(w);
          held.remove(w);
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
      for (Write w : older) run(List.of(w));
    }
    // Over the memory bound even rows still being filled go out.
    if (full) drain(true);
  }

  /**
   * Writes the queued writes in queue order, in the calling thread, except RAID5/6 rows still being
   * filled (see the class comment).
   */
  void drain() throws IOException {
    drain(false);
  }

  private void drain(boolean all) throws IOException {
    while (true) {
      List<Write> run;
      synchronized (this) {
        if (failure != null) throw new IOException("an earlier data write failed", failure);
        run = nextRun(all);
        if (run == null) return;
        for (Write w : run) {
          queue.remove(w);
          held.remove(w);
          queuedBytes -= w.len;
          w.state = State.RUNNING;
        }
      }
      run(run);
    }
  }

  /**
   * The next writes to make together, or null when nothing is left to write now. Caller holds the
   * monitor.
   */
  private List<Write> nextRun(boolean all) {
    if (all) {
      queue.addAll(held);
      held.clear();
    }
    while (!queue.isEmpty()) {
      Write w = queue.iterator().next();
      if (writer.parityRowFloor(w.end()) < 0) return List.of(w);
      List<Write> chain = contiguousQueued(w);
      long start = chain.get(0).logical;
      long end = chain.get(chain.size() - 1).end();
      long cut = all ? end : writer.parityRowFloor(end);
      if (cut <= start) {
        for (Write m : chain) {
          queue.remove(m);
          held.add(m);
        }
        continue;
      }
      while (chain.get(chain.size() - 1).logical >= cut) chain.remove(chain.size() - 1);
      Write last = chain.get(chain.size() - 1);
      if (last.end() > cut) chain.set(chain.size() - 1, splitAt(last, cut));
      return chain;
    }
    return null;
  }

  /**
   * Queued writes adjoining {@code w} on either side, in address order, at most {@link #MAX_RUN}
   * bytes in all. Caller holds the monitor.
   */
  private List<Write> contiguousQueued(Write w) {
    Deque<Write> chain = new ArrayDeque<>();
    chain.add(w);
    long bytes = w.len;
    Write cur = w;
    while (true) {
      Map.Entry<Long, Write> before = byStart.lowerEntry(cur.logical);
      if (before == null) break;
      Write b = before.getValue();
      if (b.end() != cur.logical || b.state != State.QUEUED || bytes + b.len > MAX_RUN) break;
      chain.addFirst(b);
      bytes += b.len;
      cur = b;
    }
    cur = w;
    while (true) {
      Write a = byStart.get(cur.end());
      if (a == null || a.state != State.QUEUED || bytes + a.len > MAX_RUN) break;
      chain.addLast(a);
      bytes += a.len;
      cur = a;
    }
    return new ArrayList<>(chain);
  }

  /**
   * Splits queued write {@code w} at the row boundary {@code at}: the part after it, a row only
   * partly filled, waits with the held writes; the part before is returned for the caller to take.
   * Caller holds the monitor.
   */
  private Write splitAt(Write w, long at) {
    int head = (int) (at - w.logical);
    Write first = new Write(w.logical, w.buf, w.off, head);
    Write rest = new Write(at, w.buf, w.off + head, w.len - head);
    queue.remove(w);
    held.remove(w);
    held.add(rest);
    byStart.put(first.logical, first);
    byStart.put(rest.logical, rest);
    return first;
  }

  /**
   * Makes the writes of {@code run}, which the caller marked RUNNING: one device write, the bytes
   * gathered into one buffer when there are several (they are contiguous).
   */
  private void run(List<Write> run) throws IOException {
    try {
      if (run.size() == 1) {
        Write w = run.get(0);
        writer.write(w.logical, w.buf, w.off, w.len);
      } else {
        int total = 0;
        for (Write w : run) total += w.len;
        byte[] all = new byte[total];
        int at = 0;
        for (Write w : run) {
          System.arraycopy(w.buf, w.off, all, at, w.len);
          at += w.len;
        }
        writer.write(run.get(0).logical, all, 0, total);
      }
    } catch (IOException | RuntimeException e) {
      synchronized (this) {
        for (Write w : run) w.state = State.FAILED;
        if (failure == null) failure = e instanceof IOException io ? io : new IOException(e);
        notifyAll();
      }
      throw e;
    }
    synchronized (this) {
      for (Write w : run) {
        w.state = State.DONE;
        byStart.remove(w.logical, w);
      }
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
    drain(true);
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
          held.remove(w);
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
          w.buf,
          w.off + (int) (from - w.logical),
          out,
          off + (int) (from - logical),
          (int) (to - from));
      for (long s = from; s < to; s += sectorSize)
        covered[(int) ((s - logical) / sectorSize)] = true;
    }
    return covered;
  }

  synchronized boolean isEmpty() {
    return byStart.isEmpty();
  }
}
