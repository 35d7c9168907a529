package org.jbtrfs.space;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.jbtrfs.format.BlockGroupItem;
import org.junit.jupiter.api.Test;

/** The overcommit rules: a share of unallocated space for metadata, none for data. */
class OvercommitTest {
  private static final long MIB = 1L << 20;

  private static Capacity capacity(long unallocated, long dataChunk, long global) {
    return new Capacity() {
      @Override
      public long unallocatedFor(SpaceInfo info) {
        return unallocated;
      }

      @Override
      public long dataChunkSize() {
        return dataChunk;
      }

      @Override
      public long globalReserveSize() {
        return global;
      }
    };
  }

  private static SpaceInfo metadata(long total, long used, Capacity c) {
    SpaceInfo si = new SpaceInfo(BlockGroupItem.TYPE_METADATA);
    si.setCapacity(c);
    si.addGroup(total, used);
    return si;
  }

  @Test
  void flushAllMayOvercommitAnEighthOfWhatADataChunkLeaves() {
    // 800 MiB unallocated, 96 MiB kept for a data chunk: 704 / 8 = 88 MiB beyond the total.
    SpaceInfo si = metadata(100 * MIB, 10 * MIB, capacity(800 * MIB, 96 * MIB, 8 * MIB));
    assertTrue(si.tryReserve(90 * MIB + 87 * MIB, FlushMode.FLUSH_ALL));
    assertFalse(si.tryReserve(2 * MIB, FlushMode.FLUSH_ALL));
  }

  @Test
  void callersThatCannotFlushMuchMayOvercommitHalf() {
    SpaceInfo si = metadata(100 * MIB, 10 * MIB, capacity(800 * MIB, 96 * MIB, 8 * MIB));
    assertTrue(si.tryReserve(90 * MIB + 351 * MIB, FlushMode.FLUSH_LIMIT));
    assertFalse(si.tryReserve(2 * MIB, FlushMode.NO_FLUSH));
  }

  @Test
  void noOvercommitWhenUnallocatedSpaceIsOnlyADataChunk() {
    SpaceInfo si = metadata(100 * MIB, 10 * MIB, capacity(96 * MIB, 96 * MIB, 8 * MIB));
    assertTrue(si.tryReserve(90 * MIB, FlushMode.FLUSH_LIMIT));
    assertFalse(si.tryReserve(1, FlushMode.FLUSH_LIMIT));
  }

  @Test
  void noOvercommitWhileTheGlobalReserveIsNotBackedByRealFreeSpace() {
    // 95 MiB really used, global reserve 8 MiB: only 5 MiB of real free space behind it.
    SpaceInfo si = metadata(100 * MIB, 95 * MIB, capacity(800 * MIB, 96 * MIB, 8 * MIB));
    assertTrue(si.tryReserve(5 * MIB, FlushMode.FLUSH_LIMIT), "within the total is always fine");
    assertFalse(si.tryReserve(1, FlushMode.FLUSH_LIMIT));
  }

  @Test
  void dataNeverOvercommits() {
    SpaceInfo si = new SpaceInfo(BlockGroupItem.TYPE_DATA);
    si.setCapacity(capacity(800 * MIB, 96 * MIB, 8 * MIB));
    si.addGroup(100 * MIB, 0);
    assertTrue(si.tryReserve(100 * MIB, FlushMode.FLUSH_LIMIT));
    assertFalse(si.tryReserve(1, FlushMode.FLUSH_LIMIT));
  }

  @Test
  void queuedTicketsAreNotOvertakenByNewReservations() {
    SpaceInfo si = metadata(100 * MIB, 0, null);
    assertTrue(si.tryReserve(90 * MIB, FlushMode.NO_FLUSH));
    si.lock().lock();
    try {
      si.tickets().add(new Ticket(20 * MIB, FlushMode.FLUSH_ALL));
    } finally {
      si.lock().unlock();
    }
    assertFalse(si.tryReserve(MIB, FlushMode.FLUSH_ALL), "1 MiB fits but a ticket waits first");
  }
}
