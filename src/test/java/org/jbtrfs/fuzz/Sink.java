package org.jbtrfs.fuzz;

/** Where the targets drop decoded values, so the JIT cannot drop the decoding as dead code. */
final class Sink {
  private static volatile long sink;

  private Sink() {}

  static void keep(long value) {
    sink += value;
  }
}
