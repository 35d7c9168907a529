package org.jbtrfs.fuse;

import org.jbtrfs.relocation.Balance;

/**
 * The balance (or device remove, or shrink: each a balance underneath) running on this mount, one
 * at a time: what `balance status` shows, and the flag `balance cancel` sets, which the balance
 * reads between steps. An unmount pauses it first, so its last step commits before the final
 * commit, and its balance item stays for the next mount.
 */
final class LiveBalance implements Balance.Progress, AutoCloseable {
  /** What `balance status` reports. */
  record Status(
      boolean running, boolean paused, String what, int done, int total, long bytes, long millis) {}

  private boolean running;
  private String what = "";
  private int done;
  private int total;
  private long bytes;
  private long startedMillis;
  private boolean cancel;
  private boolean pause;

  /** A balance the balance item records that does not run now (skip_balance, or paused). */
  private Balance.Request paused;

  /** Starts {@code what}; false when a balance runs already. */
  synchronized boolean tryStart(String what) {
    if (running) return false;
    running = true;
    this.what = what;
    done = 0;
    total = 0;
    bytes = 0;
    cancel = false;
    pause = false;
    paused = null;
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

  @Override
  public synchronized boolean paused() {
    return pause;
  }

  /** Records a balance left paused on disk, for status, resume and cancel. */
  synchronized void setPaused(Balance.Request r) {
    paused = r;
  }

  synchronized Balance.Request pausedRequest() {
    return running ? null : paused;
  }

  synchronized Status status() {
    return new Status(
        running,
        !running && paused != null,
        what,
        done,
        total,
        bytes,
        System.currentTimeMillis() - startedMillis);
  }

  /**
   * Asks the running balance to stop after its current step and waits until it has (as the kernel's
   * cancel waits); false when none runs.
   */
  synchronized boolean cancelAndWait() throws InterruptedException {
    return stopAndWait(false);
  }

  /** Pauses the running balance after its current step and waits; false when none runs. */
  synchronized boolean pauseAndWait() throws InterruptedException {
    return stopAndWait(true);
  }

  private boolean stopAndWait(boolean keepRecord) throws InterruptedException {
    if (!running) return false;
    if (keepRecord) pause = true;
    else cancel = true;
    while (running) wait();
    return true;
  }

  /**
   * At unmount: pauses a running balance after its current step, as the kernel's unmount does; its
   * balance item stays, so the next mount goes on with it.
   */
  @Override
  public synchronized void close() {
    try {
      pauseAndWait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
