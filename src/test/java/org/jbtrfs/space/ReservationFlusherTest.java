package org.jbtrfs.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.BlockGroupItem;
import org.junit.jupiter.api.Test;

/** The flusher against fake operations: order of states, tickets, ENOSPC, error paths. */
class ReservationFlusherTest {
  private static final List<FlushState> ALL_STATES =
      List.of(
          FlushState.FLUSH_DELAYED_ITEMS,
          FlushState.RUN_DELAYED_REFS,
          FlushState.FLUSH_DELALLOC,
          FlushState.FLUSH_DELALLOC_FULL,
          FlushState.ALLOC_CHUNK,
          FlushState.ALLOC_CHUNK_FORCE,
          FlushState.COMMIT_TRANS);

  /** Metadata space of 100 bytes, all of it promised to {@code held}. */
  private static SpaceInfo fullMetadata() {
    SpaceInfo si = new SpaceInfo(BlockGroupItem.TYPE_METADATA);
    si.addGroup(100, 0);
    assertTrue(si.tryReserve(100, FlushMode.NO_FLUSH));
    return si;
  }

  @Test
  void everyStateRunsInOrderAndEnospcComesOnlyAfterTheCommit() {
    SpaceInfo si = fullMetadata();
    FakeFlushOps ops = new FakeFlushOps();
    ReservationFlusher f = new ReservationFlusher(ops);
    assertThrows(NoSpaceException.class, () -> f.reserve(si, 10, FlushMode.FLUSH_ALL));
    assertEquals(ALL_STATES, ops.calls, "one full round, delayed refs before delalloc");
    assertEquals(100, si.counters().mayUse(), "the failed reservation left nothing behind");
    assertTrue(si.tickets().isEmpty());
    assertFalse(si.flushing());
  }

  @Test
  void flushLimitNeverWritesBackDelallocNorCommits() {
    SpaceInfo si = fullMetadata();
    FakeFlushOps ops = new FakeFlushOps();
    ReservationFlusher f = new ReservationFlusher(ops);
    assertThrows(NoSpaceException.class, () -> f.reserve(si, 10, FlushMode.FLUSH_LIMIT));
    assertEquals(
        List.of(
            FlushState.FLUSH_DELAYED_ITEMS,
            FlushState.RUN_DELAYED_REFS,
            FlushState.ALLOC_CHUNK,
            FlushState.ALLOC_CHUNK_FORCE),
        ops.calls);
  }

  @Test
  void noFlushFailsAtOnce() {
    SpaceInfo si = fullMetadata();
    FakeFlushOps ops = new FakeFlushOps();
    assertThrows(
        NoSpaceException.class,
        () -> new ReservationFlusher(ops).reserve(si, 1, FlushMode.NO_FLUSH));
    assertTrue(ops.calls.isEmpty());
    assertTrue(si.tickets().isEmpty());
  }

  @Test
  void stopsAtTheFirstStateThatMakesRoom() throws IOException {
    SpaceInfo si = fullMetadata();
    FakeFlushOps ops = new FakeFlushOps();
    ops.onDelayedRefs = () -> si.releaseMayUse(30);
    new ReservationFlusher(ops).reserve(si, 25, FlushMode.FLUSH_ALL);
    assertEquals(List.of(FlushState.FLUSH_DELAYED_ITEMS, FlushState.RUN_DELAYED_REFS), ops.calls);
    assertEquals(95, si.counters().mayUse());
  }

  @Test
  void aCommitThatUnpinsSpaceSatisfiesTheReservation() throws IOException {
    SpaceInfo si = new SpaceInfo(BlockGroupItem.TYPE_METADATA);
    si.addGroup(100, 100);
    si.pinned(40);
    FakeFlushOps ops = new FakeFlushOps();
    ops.onCommit = si::committed;
    new ReservationFlusher(ops).reserve(si, 30, FlushMode.FLUSH_ALL);
    assertEquals(ALL_STATES, ops.calls);
    SpaceCounters c = si.counters();
    assertEquals(0, c.pinned());
    assertEquals(60, c.used());
    assertEquals(30, c.mayUse());
  }

  @Test
  void keepsFlushingWhileCommitsFreeSomethingThenFails() {
    SpaceInfo si = new SpaceInfo(BlockGroupItem.TYPE_METADATA);
    si.addGroup(100, 100);
    FakeFlushOps ops = new FakeFlushOps();
    // Each of the first two commits frees 5 bytes; the reservation needs 30.
    int[] commits = {0};
    ops.onCommit =
        () -> {
          if (commits[0]++ < 2) {
            si.pinned(5);
            si.committed();
          }
        };
    assertThrows(
        NoSpaceException.class,
        () -> new ReservationFlusher(ops).reserve(si, 30, FlushMode.FLUSH_ALL));
    assertEquals(3, commits[0], "a third round after two commits freed space, then ENOSPC");
    assertEquals(FlushState.COMMIT_TRANS, ops.calls.get(ops.calls.size() - 1));
    assertEquals(90, si.counters().used());
    assertEquals(0, si.counters().mayUse());
  }

  @Test
  void aChunkMakesRoomBeforeAnyCommit() throws IOException {
    SpaceInfo si = fullMetadata();
    FakeFlushOps ops = new FakeFlushOps();
    ops.chunkAllocated = true;
    ops.onChunk = () -> si.addGroup(64, 0);
    new ReservationFlusher(ops).reserve(si, 50, FlushMode.FLUSH_ALL);
    assertFalse(ops.calls.contains(FlushState.COMMIT_TRANS), ops.calls.toString());
    assertEquals(164, si.counters().total());
  }

  @Test
  void aFailingStateLeavesNoTicketFlagOrReservation() throws IOException {
    SpaceInfo si = fullMetadata();
    FakeFlushOps ops = new FakeFlushOps();
    IOException boom = new IOException("commit failed");
    ops.onCommit =
        () -> {
          throw boom;
        };
    IOException thrown =
        assertThrows(
            IOException.class,
            () -> new ReservationFlusher(ops).reserve(si, 10, FlushMode.FLUSH_ALL));
    assertSame(boom, thrown);
    assertTrue(si.tickets().isEmpty());
    assertFalse(si.flushing());
    assertEquals(100, si.counters().mayUse());
    // Nothing stuck: once space comes back, the next reservation just works.
    si.releaseMayUse(50);
    new ReservationFlusher(new FakeFlushOps()).reserve(si, 10, FlushMode.FLUSH_ALL);
    assertEquals(60, si.counters().mayUse());
  }

  @Test
  void aGrantRacingWithAFailureIsGivenBack() {
    SpaceInfo si = fullMetadata();
    FakeFlushOps ops = new FakeFlushOps();
    ops.onDelayedItems =
        () -> {
          si.releaseMayUse(50); // grants the ticket...
          throw new IOException("...and then the state fails");
        };
    assertThrows(
        IOException.class, () -> new ReservationFlusher(ops).reserve(si, 10, FlushMode.FLUSH_ALL));
    assertEquals(50, si.counters().mayUse(), "the granted 10 bytes were released");
  }

  @Test
  void ticketsAreGrantedFirstComeFirstServed() throws Exception {
    SpaceInfo si = fullMetadata();
    CountDownLatch flusherBusy = new CountDownLatch(1);
    CountDownLatch letGo = new CountDownLatch(1);
    FakeFlushOps ops = new FakeFlushOps();
    ops.onDelayedItems =
        () -> {
          flusherBusy.countDown();
          try {
            letGo.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            throw new IOException(e);
          }
        };
    ReservationFlusher f = new ReservationFlusher(ops);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> done = new ArrayList<>();
      long[] sizes = {30, 20, 10};
      for (int i = 0; i < sizes.length; i++) {
        long bytes = sizes[i];
        done.add(
            pool.submit(
                () -> {
                  f.reserve(si, bytes, FlushMode.FLUSH_ALL);
                  return null;
                }));
        awaitTickets(si, i + 1);
      }
      assertTrue(flusherBusy.await(30, TimeUnit.SECONDS));
      // 10 bytes back: the 10-byte ticket would fit, but it is last in line.
      si.releaseMayUse(10);
      assertEquals(List.of(30L, 20L, 10L), waiting(si));
      // 25 more: the first ticket (30) goes; 5 left, still not enough for the 20.
      si.releaseMayUse(25);
      assertEquals(List.of(20L, 10L), waiting(si));
      // 25 more: 30 free, the 20 and then the 10.
      si.releaseMayUse(25);
      assertEquals(List.of(), waiting(si));
      letGo.countDown();
      for (Future<?> d : done) d.get(30, TimeUnit.SECONDS);
      // 60 released, 60 granted.
      assertEquals(100, si.counters().mayUse());
      assertEquals(0, si.headroom());
    } finally {
      letGo.countDown();
      pool.shutdownNow();
    }
  }

  private static List<Long> waiting(SpaceInfo si) {
    si.lock().lock();
    try {
      List<Long> out = new ArrayList<>();
      for (Ticket t : si.tickets()) out.add(t.bytes);
      return out;
    } finally {
      si.lock().unlock();
    }
  }

  private static void awaitTickets(SpaceInfo si, int n) throws InterruptedException {
    for (int i = 0; i < 3000 && waiting(si).size() < n; i++) Thread.sleep(10);
    assertEquals(n, waiting(si).size(), "tickets queued");
  }
}
