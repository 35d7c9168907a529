package org.jbtrfs.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.BlockGroupItem;

/**
 * Random sequences of reservations, allocations, writebacks, releases and commits against a small
 * filesystem's space infos: whatever succeeds or fails with ENOSPC, nothing stays promised once
 * every change is closed and every buffered byte written back or dropped, counters never go
 * negative, and allocations keep used + reserved equal to what was allocated.
 */
class SpaceManagerPropertiesTest {
  private static final long MIB = 1L << 20;

  @Property(tries = 300)
  void everyPathGivesBackWhatItReserved(
      @ForAll @Size(max = 60) List<@IntRange(min = 0, max = 999) Integer> steps)
      throws IOException {
    FakeFlushOps ops = new FakeFlushOps();
    MetadataCost cost = new MetadataCost(16384, 4096, 4, true);
    SpaceManager m = new SpaceManager(cost, 8 * MIB, ops);
    m.groupAdded(BlockGroupItem.TYPE_METADATA, 64 * MIB, 2 * MIB, 0);
    m.groupAdded(BlockGroupItem.TYPE_DATA, 64 * MIB, 0, 64 << 10);
    m.setUnallocated(16 * MIB);
    m.setGlobalReserveSize(6 * MIB);
    SpaceInfo meta = m.info(BlockGroupItem.TYPE_METADATA);
    SpaceInfo data = m.info(BlockGroupItem.TYPE_DATA);
    ops.onCommit = m::transactionCommitted;
    List<SpaceManager.Reservation> open = new ArrayList<>();
    List<long[]> inodes = new ArrayList<>(); // {ino}
    long metaAllocated = 2 * MIB;
    for (int step : steps) {
      int kind = step % 7;
      int arg = step / 7;
      try {
        switch (kind) {
          case 0 -> open.add(m.reserveChange(1 + arg % 12, mode(arg), arg % 3 == 0));
          case 1 -> {
            if (!open.isEmpty()) open.remove(open.size() - 1).close();
          }
          case 2 -> {
            // A tree block allocated by whichever change is running.
            meta.allocated(16384);
            m.chargeMetadata(16384);
            metaAllocated += 16384;
          }
          case 3 -> {
            long ino = 256 + arg % 5;
            m.reserveDelalloc(5, ino, 4096L * (1 + arg % 64), 1, mode(arg));
            inodes.add(new long[] {ino});
          }
          case 4 -> {
            if (!inodes.isEmpty()) {
              long ino = inodes.remove(0)[0];
              try (SpaceManager.Reservation r = m.startWriteback(5, ino)) {
                meta.allocated(16384);
                m.chargeMetadata(16384);
                metaAllocated += 16384;
              }
            }
          }
          case 5 -> {
            if (!inodes.isEmpty()) {
              long ino = inodes.remove(inodes.size() - 1)[0];
              m.releaseDelalloc(5, ino, 4096L * (1 + arg % 64), arg % 3);
            }
          }
          default -> ops.commit();
        }
      } catch (NoSpaceException expected) {
        // ENOSPC is a fine outcome; what it must not do is leak.
      }
      for (SpaceInfo si : List.of(meta, data)) {
        SpaceCounters c = si.counters();
        assertTrue(c.mayUse() >= 0 && c.used() >= 0 && c.reserved() >= 0, c.toString());
      }
      assertEquals(metaAllocated, meta.counters().used() + meta.counters().reserved());
    }
    for (SpaceManager.Reservation r : open) r.close();
    for (long ino = 256; ino < 261; ino++) m.releaseDelalloc(5, ino, Long.MAX_VALUE, 0);
    assertEquals(0, data.counters().mayUse(), "data reservations leaked");
    assertEquals(
        m.globalReserve().reserved() + m.delayedRefsReserve().reserved(),
        meta.counters().mayUse(),
        "metadata reservations leaked");
    assertEquals(0, m.delallocReserve().reserved());
    ops.commit();
    assertEquals(m.globalReserve().reserved(), meta.counters().mayUse());
    assertEquals(m.globalReserve().size(), m.globalReserve().reserved(), "global reserve refilled");
  }

  private static FlushMode mode(int arg) {
    return FlushMode.values()[arg % 3];
  }
}
