package org.jbtrfs.fuse;

import static org.assertj.core.api.Assertions.assertThat;

import org.jbtrfs.fs.Node;
import org.junit.jupiter.api.Test;

/** Which link count attribute replies carry around an unlink, by the order requests were read. */
class LinkDropsInFlightTest {
  /** A stand-in for the session's numbering: tests move it by hand. */
  private static final class Order implements LinkDropsInFlight.RequestOrder {
    long next;
    long oldest = Long.MAX_VALUE;

    @Override
    public long nextRequest() {
      return next;
    }

    @Override
    public long oldestInFlight() {
      return oldest;
    }
  }

  private static final int PID = 4242;
  private final Node file = new Node(null, 257);
  private final Node other = new Node(null, 258);

  @Test
  void requestsReadBeforeTheReplyGetTheCountFromBefore() {
    Order order = new Order();
    LinkDropsInFlight drops = new LinkDropsInFlight();
    order.next = 10;
    drops.started(file, 2, PID, order);
    // While the unlink runs, every reply says 2, whether it read the inode before or after.
    assertThat(drops.reported(file, 2, 8)).isEqualTo(2);
    assertThat(drops.reported(file, 1, 12)).isEqualTo(2);
    assertThat(drops.reported(other, 5, 12)).isEqualTo(5);
    order.next = 15;
    drops.replying(file, order);
    // Read before the reply: the kernel sent them before it dropped the count itself.
    assertThat(drops.reported(file, 1, 14)).isEqualTo(2);
    // Read after: the true count, once the unlinking thread was seen sending again ...
    drops.requestFrom(PID + 1);
    long t0 = System.nanoTime();
    drops.requestFrom(PID);
    assertThat(drops.reported(file, 1, 15)).isEqualTo(1);
    assertThat(drops.reported(file, 1, 40)).isEqualTo(1);
    assertThat(System.nanoTime() - t0).isLessThan(LinkDropsInFlight.SETTLE_NANOS);
  }

  @Test
  void aRequestReadAfterTheReplyWaitsForTheKernelToHaveCompletedIt() {
    Order order = new Order();
    LinkDropsInFlight drops = new LinkDropsInFlight();
    drops.started(file, 2, PID, order);
    order.next = 3;
    drops.replying(file, order);
    // ... or after the settle time, when that thread sends nothing more.
    long t0 = System.nanoTime();
    assertThat(drops.reported(file, 1, 3)).isEqualTo(1);
    assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(LinkDropsInFlight.SETTLE_NANOS);
  }

  @Test
  void anAnsweredDropIsForgottenOnceNothingReadBeforeItsReplyRuns() {
    Order order = new Order();
    LinkDropsInFlight drops = new LinkDropsInFlight();
    order.next = 10;
    drops.started(file, 3, PID, order);
    order.next = 11;
    drops.replying(file, order);
    drops.requestFrom(PID); // the kernel has completed it
    // Request 9 is still being answered: the next unlink (of another file) keeps the record.
    order.oldest = 9;
    drops.started(other, 1, PID, order);
    assertThat(drops.reported(file, 2, 9)).isEqualTo(3);
    order.next = 20;
    drops.replying(other, order);
    // Request 9 is done; the next change forgets the answered drop of file.
    order.oldest = 25;
    drops.started(other, 1, PID, order);
    assertThat(drops.reported(file, 2, 9)).isEqualTo(2);
  }

  @Test
  void aNewUnlinkOfTheSameFileStartsFromItsCountThen() {
    Order order = new Order();
    LinkDropsInFlight drops = new LinkDropsInFlight();
    drops.started(file, 3, PID, order);
    order.next = 5;
    drops.replying(file, order);
    order.oldest = 2;
    drops.started(file, 2, PID, order);
    assertThat(drops.reported(file, 1, 7)).isEqualTo(2);
  }

  @Test
  void overlappingChangesReportTheCountBeforeTheFirst() {
    Order order = new Order();
    LinkDropsInFlight drops = new LinkDropsInFlight();
    drops.started(file, 3, PID, order);
    drops.started(file, 2, PID, order);
    order.next = 4;
    drops.replying(file, order);
    assertThat(drops.reported(file, 1, 6)).isEqualTo(3);
    order.next = 8;
    drops.replying(file, order);
    assertThat(drops.reported(file, 1, 7)).isEqualTo(3);
    assertThat(drops.reported(file, 1, 8)).isEqualTo(1);
  }
}
