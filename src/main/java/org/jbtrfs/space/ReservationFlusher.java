package org.jbtrfs.space;

import java.io.IOException;
import org.jbtrfs.extent.NoSpaceException;

/**
 * Reserves space, flushing when it is short. A reservation that does not fit (or finds others
 * already waiting) queues a ticket; tickets are granted strictly first come, first served as space
 * comes back. One waiting thread at a time runs the flush states ({@link FlushState}, in order, as
 * far as its mode allows) and after each state grants what now fits. When a whole round of states
 * frees nothing, the tickets that round could have helped fail with ENOSPC, so ENOSPC comes only
 * after everything was tried, including a commit for FLUSH_ALL callers.
 */
public final class ReservationFlusher {
  /** Rounds of states that freed something, before giving up anyway (no endless flushing). */
  static final int MAX_ROUNDS = 4;

  private final FlushOps ops;

  public ReservationFlusher(FlushOps ops) {
    this.ops = ops;
  }

  /**
   * Adds {@code bytes} to {@code info}'s may_use, flushing as {@code mode} allows; throws
   * NoSpaceException when that is not enough. On any exception nothing stays reserved.
   */
  public void reserve(SpaceInfo info, long bytes, FlushMode mode) throws IOException {
    if (bytes <= 0) return;
    if (info.tryReserve(bytes, mode)) return;
    if (mode == FlushMode.NO_FLUSH) throw noSpace(info, bytes);
    Ticket t = new Ticket(bytes, mode);
    info.lock().lock();
    try {
      info.tickets().addLast(t);
      info.grantTicketsLocked();
      while (t.state == Ticket.State.WAITING) {
        if (!info.flushing()) {
          info.setFlushing(true);
          info.lock().unlock();
          try {
            flushFor(info, t);
          } finally {
            info.lock().lock();
            info.setFlushing(false);
            info.changed().signalAll();
          }
        } else {
          info.changed().awaitUninterruptibly();
        }
      }
      if (t.state == Ticket.State.FAILED) throw noSpace(info, bytes);
    } catch (IOException | RuntimeException | Error e) {
      // A state threw (a failed commit, say): the ticket must not stay queued, and a grant that
      // raced with the failure is given back.
      if (t.state == Ticket.State.WAITING) {
        info.tickets().remove(t);
        t.state = Ticket.State.FAILED;
        info.changed().signalAll();
      } else if (t.state == Ticket.State.GRANTED) {
        info.releaseMayUse(t.bytes);
        t.state = Ticket.State.FAILED;
      }
      throw e;
    } finally {
      info.lock().unlock();
    }
  }

  /** Runs states until {@code mine} is settled. Called without the lock. */
  private void flushFor(SpaceInfo info, Ticket mine) throws IOException {
    for (int round = 0; ; round++) {
      long progressBefore = info.progress();
      for (FlushState s : FlushState.values()) {
        if (!s.allowedBy(mine.mode)) continue;
        if (settled(mine)) return;
        run(s, info);
        info.lock().lock();
        try {
          info.grantTicketsLocked();
        } finally {
          info.lock().unlock();
        }
      }
      if (settled(mine)) return;
      if (info.progress() == progressBefore || round + 1 >= MAX_ROUNDS) {
        failTickets(info, mine.mode);
        return;
      }
    }
  }

  private void run(FlushState s, SpaceInfo info) throws IOException {
    switch (s) {
      case FLUSH_DELAYED_ITEMS -> ops.flushDelayedItems();
      case RUN_DELAYED_REFS -> ops.runDelayedRefs();
      case FLUSH_DELALLOC -> ops.flushDelalloc(waitingBytes(info));
      case FLUSH_DELALLOC_FULL -> ops.flushAllDelalloc();
      case ALLOC_CHUNK -> allocateChunks(info, ChunkForce.NO_FORCE);
      case ALLOC_CHUNK_FORCE -> allocateChunks(info, ChunkForce.FORCE);
      case COMMIT_TRANS -> ops.commit();
    }
  }

  /**
   * Adds chunks while the first waiting ticket does not fit and the devices have room: a big
   * reservation (a large fallocate) needs many chunks at once.
   */
  private void allocateChunks(SpaceInfo info, ChunkForce force) throws IOException {
    while (true) {
      info.lock().lock();
      try {
        info.grantTicketsLocked();
        if (info.tickets().isEmpty()) return;
      } finally {
        info.lock().unlock();
      }
      long before = info.progress();
      if (!ops.allocateChunk(info, force) || info.progress() == before) return;
    }
  }

  private static boolean settled(Ticket t) {
    return t.state != Ticket.State.WAITING;
  }

  /** What all queued tickets want: the target of a partial writeback. */
  private static long waitingBytes(SpaceInfo info) {
    info.lock().lock();
    try {
      long sum = 0;
      for (Ticket t : info.tickets()) sum += t.bytes;
      return sum;
    } finally {
      info.lock().unlock();
    }
  }

  /**
   * Fails every queued ticket whose mode allows no more than the round just run; tickets that may
   * flush more stay queued and their own thread flushes next.
   */
  private static void failTickets(SpaceInfo info, FlushMode tried) {
    info.lock().lock();
    try {
      for (var it = info.tickets().iterator(); it.hasNext(); ) {
        Ticket t = it.next();
        if (t.mode.compareTo(tried) <= 0) {
          it.remove();
          t.state = Ticket.State.FAILED;
        }
      }
      // Removing a big ticket at the head may let smaller ones behind it through.
      info.grantTicketsLocked();
      info.changed().signalAll();
    } finally {
      info.lock().unlock();
    }
  }

  private static NoSpaceException noSpace(SpaceInfo info, long bytes) {
    return new NoSpaceException(
        "no " + info.name().toLowerCase() + " space for " + bytes + " more bytes (" + info + ")");
  }
}
