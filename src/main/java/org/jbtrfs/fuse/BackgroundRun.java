package org.jbtrfs.fuse;

import java.util.function.BooleanSupplier;

/** Waiting on a background job's monitor (a scrub or replace of the mount) until it has stopped. */
final class BackgroundRun {
  private BackgroundRun() {}

  /** Where a background job of the mount is; the ordinal is what its status ioctl reports. */
  enum State {
    NONE,
    RUNNING,
    FINISHED,
    CANCELED,
    FAILED
  }

  /**
   * Waits on {@code monitor}, which the caller holds, while {@code running} says so; an interrupt
   * ends the wait early and is kept for the caller's caller.
   */
  static void awaitStop(Object monitor, BooleanSupplier running) {
    while (running.getAsBoolean()) {
      try {
        monitor.wait();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
