package org.jbtrfs.txn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PendingDataTest {
  private static final int SECTOR = 4096;

  /** A device that records writes (logical address and first byte) in order. */
  private static final class Recorder implements PendingData.Target {
    final List<long[]> writes = new ArrayList<>();

    @Override
    public synchronized void write(long logical, byte[] buf, int off, int len) {
      writes.add(new long[] {logical, buf[off], len});
    }
  }

  private interface IoAction {
    void run() throws IOException;
  }

  /** Starts {@code action} in a thread of its own. */
  private static Thread inThread(IoAction action) {
    Thread t =
        new Thread(
            () -> {
              try {
                action.run();
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    t.start();
    return t;
  }

  private static byte[] filled(int len, int value) {
    byte[] b = new byte[len];
    Arrays.fill(b, (byte) value);
    return b;
  }

  @Test
  void readsSeeQueuedDataUntilItIsWritten() throws IOException {
    Recorder dev = new Recorder();
    PendingData p = new PendingData(dev);
    p.add(1 << 20, filled(2 * SECTOR, 7), 2 * SECTOR);
    assertThat(p.overlaps(1 << 20, SECTOR)).isTrue();
    assertThat(p.overlaps((1 << 20) - SECTOR, SECTOR)).isFalse();
    assertThat(p.overlaps((1 << 20) + 2 * SECTOR, SECTOR)).isFalse();

    // A read straddling the start: the first sector is not pending, the second is.
    byte[] out = new byte[2 * SECTOR];
    boolean[] covered = p.copy((1 << 20) - SECTOR, out, 0, out.length, SECTOR);
    assertThat(covered).containsExactly(false, true);
    assertThat(out[0]).isZero();
    assertThat(out[SECTOR]).isEqualTo((byte) 7);

    p.drain();
    assertThat(dev.writes).hasSize(1);
    assertThat(p.overlaps(1 << 20, SECTOR)).isFalse();
    assertThat(p.copy(1 << 20, out, 0, SECTOR, SECTOR)).isNull();
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void writesLandInQueueOrder() throws IOException {
    Recorder dev = new Recorder();
    PendingData p = new PendingData(dev);
    p.add(3 * SECTOR, filled(SECTOR, 3), SECTOR);
    p.add(SECTOR, filled(SECTOR, 1), SECTOR);
    p.add(2 * SECTOR, filled(SECTOR, 2), SECTOR);
    p.drainAndWait();
    assertThat(dev.writes).extracting(w -> w[1]).containsExactly(3L, 1L, 2L);
  }

  @Test
  void freedSpaceDropsItsQueuedWrite() throws IOException {
    Recorder dev = new Recorder();
    PendingData p = new PendingData(dev);
    p.add(0, filled(4 * SECTOR, 5), 4 * SECTOR);
    p.add(8 * SECTOR, filled(SECTOR, 6), SECTOR);
    // Freeing part of the first extent's range drops its whole write: the extent is gone.
    p.cancel(SECTOR, SECTOR);
    assertThat(p.overlaps(0, 4 * SECTOR)).isFalse();
    // The space is allocated again and written with new data: only that reaches the device.
    p.add(0, filled(SECTOR, 9), SECTOR);
    p.drainAndWait();
    assertThat(dev.writes).extracting(w -> w[0]).containsExactly(8L * SECTOR, 0L);
    assertThat(dev.writes).extracting(w -> w[1]).containsExactly(6L, 9L);
  }

  @Test
  void cancelWaitsForAWriteUnderWay() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    PendingData p =
        new PendingData(
            (logical, buf, off, len) -> {
              writing.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                throw new IOException(e);
              }
            });
    p.add(0, filled(SECTOR, 1), SECTOR);
    Thread drainer = inThread(p::drain);
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    Thread canceller = new Thread(() -> p.cancel(0, SECTOR));
    canceller.start();
    canceller.join(200);
    assertThat(canceller.isAlive()).as("cancel must wait for the write under way").isTrue();
    release.countDown();
    canceller.join(10_000);
    drainer.join(10_000);
    assertThat(canceller.isAlive()).isFalse();
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void aFailedWriteFailsEveryLaterDrain() throws IOException {
    PendingData p =
        new PendingData(
            (logical, buf, off, len) -> {
              throw new IOException("device gone");
            });
    p.add(0, filled(SECTOR, 1), SECTOR);
    assertThatThrownBy(p::drain).isInstanceOf(IOException.class).hasMessageContaining("device");
    assertThatThrownBy(p::drainAndWait).isInstanceOf(IOException.class);
    // The data the trees point to never landed: reads keep getting it from memory.
    assertThat(p.overlaps(0, SECTOR)).isTrue();
  }

  @Test
  void anOverwriteInPlaceLandsAfterTheQueuedWriteItCovers() throws IOException {
    Recorder dev = new Recorder();
    PendingData p = new PendingData(dev);
    p.add(0, filled(4 * SECTOR, 1), 4 * SECTOR);
    p.add(16 * SECTOR, filled(SECTOR, 5), SECTOR);
    // nodatacow data written again over part of the first range before it landed.
    p.add(SECTOR, filled(SECTOR, 2), SECTOR);
    // The older write went out first, in the adding thread; the unrelated one is still queued.
    assertThat(dev.writes).extracting(w -> w[1]).containsExactly(1L);
    byte[] out = new byte[4 * SECTOR];
    boolean[] covered = p.copy(0, out, 0, out.length, SECTOR);
    assertThat(covered).containsExactly(false, true, false, false);
    assertThat(out[SECTOR]).isEqualTo((byte) 2);
    p.drainAndWait();
    assertThat(dev.writes).extracting(w -> w[1]).containsExactly(1L, 5L, 2L);
    assertThat(dev.writes).extracting(w -> w[0]).containsExactly(0L, 16L * SECTOR, (long) SECTOR);
  }

  @Test
  void anOverwriteInPlaceWaitsForTheWriteUnderWayItCovers() throws Exception {
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> order = java.util.Collections.synchronizedList(new ArrayList<>());
    PendingData p =
        new PendingData(
            (logical, buf, off, len) -> {
              if (buf[off] == 1) {
                writing.countDown();
                try {
                  release.await();
                } catch (InterruptedException e) {
                  throw new IOException(e);
                }
              }
              order.add((int) buf[off]);
            });
    p.add(0, filled(2 * SECTOR, 1), 2 * SECTOR);
    Thread drainer = inThread(p::drain);
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    Thread overwriter = inThread(() -> p.add(SECTOR, filled(SECTOR, 2), SECTOR));
    overwriter.join(200);
    assertThat(overwriter.isAlive()).as("the overwrite must wait for the write under way").isTrue();
    release.countDown();
    overwriter.join(10_000);
    drainer.join(10_000);
    p.drainAndWait();
    assertThat(order).containsExactly(1, 2);
  }

  /** A recorder standing for a RAID5/6 chunk whose parity rows are 8 sectors long. */
  private static final class ParityRecorder implements PendingData.Target {
    static final long ROW = 8L * SECTOR;
    final List<long[]> writes = new ArrayList<>();

    @Override
    public synchronized void write(long logical, byte[] buf, int off, int len) {
      writes.add(new long[] {logical, len, buf[off], buf[off + len - 1]});
    }

    @Override
    public long parityRowFloor(long end) {
      return end / ROW * ROW;
    }
  }

  @Test
  void parityRowsGoOutWholeAndTheUnfilledRowWaitsForTheCommit() throws IOException {
    ParityRecorder dev = new ParityRecorder();
    PendingData p = new PendingData(dev);
    p.add(0, filled(3 * SECTOR, 1), 3 * SECTOR);
    p.drain();
    p.add(3 * SECTOR, filled(3 * SECTOR, 2), 3 * SECTOR);
    p.drain();
    assertThat(dev.writes).as("the row is not full yet").isEmpty();
    p.add(6 * SECTOR, filled(3 * SECTOR, 3), 3 * SECTOR);
    p.drain();
    // The first row goes out as one write of the three pieces; its last sector's neighbour, the
    // first sector of the next row, is held back.
    assertThat(dev.writes).hasSize(1);
    assertThat(dev.writes.get(0)).containsExactly(0, ParityRecorder.ROW, 1, 3);
    byte[] out = new byte[SECTOR];
    assertThat(p.copy(8 * SECTOR, out, 0, SECTOR, SECTOR)).containsExactly(true);
    assertThat(out[0]).isEqualTo((byte) 3);
    p.drainAndWait();
    assertThat(dev.writes).hasSize(2);
    assertThat(dev.writes.get(1)).containsExactly(8 * SECTOR, SECTOR, 3, 3);
    assertThat(p.isEmpty()).isTrue();
  }

  @Test
  void aFreedRangeDropsItsHeldPartOnly() throws IOException {
    ParityRecorder dev = new ParityRecorder();
    PendingData p = new PendingData(dev);
    p.add(0, filled(10 * SECTOR, 4), 10 * SECTOR);
    p.drain();
    assertThat(dev.writes).hasSize(1);
    // The held tail [8, 10) is its own write now: freeing it drops only it.
    p.cancel(9 * SECTOR, SECTOR);
    p.drainAndWait();
    assertThat(dev.writes).hasSize(1);
    assertThat(dev.writes.get(0)).containsExactly(0, ParityRecorder.ROW, 4, 4);
  }

  @Test
  void nothingGoesOverAFailedWrite() throws IOException {
    PendingData p =
        new PendingData(
            (logical, buf, off, len) -> {
              throw new IOException("device gone");
            });
    p.add(0, filled(SECTOR, 1), SECTOR);
    assertThatThrownBy(p::drain).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> p.add(0, filled(SECTOR, 2), SECTOR))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("failed");
  }
}
