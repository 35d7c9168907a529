package org.jbtrfs.space;

/**
 * One waiting reservation. Tickets are granted strictly in the order they were queued, so a big
 * reservation is not starved by a stream of small ones. State changes under the space info's lock.
 */
final class Ticket {
  enum State {
    WAITING,
    GRANTED,
    FAILED
  }

  final long bytes;
  final FlushMode mode;
  State state = State.WAITING;

  Ticket(long bytes, FlushMode mode) {
    this.bytes = bytes;
    this.mode = mode;
  }
}
