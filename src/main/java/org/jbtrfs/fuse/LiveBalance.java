package org.jbtrfs.fuse;

import org.jbtrfs.relocation.Balance;

/**
 * The balance (or device remove, or shrink: each a balance underneath) running on this mount, one
 * at a time: what `balance status` shows, and the flag `balance cancel` sets, which the balance
 * reads between steps. An unmount cancels it first, so its last step commits before the final
 * commit (nothing of it is kept to resume: jbtrfs writes no balance item yet).
 */
final class LiveBalance implements Balance.Progress, AutoCloseable {
  /** What `balance status` reports. */
  record Status(boolean running, String what, int done, int total, long bytes, long millis) {}

  private boolean running;
  private String what = "";
  private int done;
  private int total;
  private long bytes;
  private long startedMillis;
  private boolean cancel;

  /** Starts {@code what}; false when a balance runs already. */
  synchronized boolean tryStart(String what) {
    if (running) return false;
    running = true;
    this.what = what;
    done = 0;
    total = 0;
    bytes = 0;
    cancel = false;
    startedMillis = System.currentTimeMillis();
    return true;
  }

  synchronized void finish() {
    running = false;
    notifyAll();
  }

  synchronized boolean running() {
    return running;
  }

  @Override
  public synchronized void relocated(int done, int total, long bytes) {
    this.done = done;
    this.total = total;
    this.bytes = bytes;
  }

  @Override
  public synchronized boolean cancelled() {
    return cancel;
  }

  synchronized Status status() {
    return new Status(
        running, what, done, total, bytes, System.currentTimeMillis() - startedMillis);
  }

  /**
   * Asks the running balance to stop after its current step and waits until it has (as the kernel's
   * cancel waits); false when none runs.
   */
  synchronized boolean cancelAndWait() throws InterruptedException {
    if (!running) return false;
    cancel = true;
    while (running) wait();
    return true;
  }

  /** At unmount: stops a running balance after its current step. */
  @Override
  public void close() {
    try {
      cancelAndWait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
