package org.jbtrfs.fs.write;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.jbtrfs.txn.DeadSubvolumes;

/**
 * The mount's cleaner, as the kernel's: drops the trees of deleted subvolumes in the background, a
 * piece per transaction, while requests go on between pieces. Woken by a delete; at mount it also
 * finds drops an unmount or a crash interrupted (this driver's or the kernel's).
 */
final class SubvolumeCleaner implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SubvolumeCleaner.class.getName());

  /** After a failed piece: retry later rather than spin on a lasting error. */
  private static final long RETRY_SECONDS = 30;

  private final MountedWriter rw;
  private final Semaphore wake = new Semaphore(0);
  private final Thread thread;
  private volatile boolean stopping;

  SubvolumeCleaner(MountedWriter rw) {
    this.rw = rw;
    this.thread = new Thread(this::run, "jbtrfs-cleaner");
    thread.setDaemon(true);
    thread.start();
  }

  /** A subvolume was deleted: there is work. */
  void wake() {
    wake.release();
  }

  private void run() {
    while (!stopping) {
      try {
        while (!stopping && rw.dropDeadSubvolumePiece(DeadSubvolumes.LEAVES_PER_PIECE)) {
          // One piece per transaction; requests take the lock between pieces.
        }
        wake.acquire();
        wake.drainPermits();
      } catch (InterruptedException e) {
        return;
      } catch (Throwable t) {
        if (rw.engine().isAborted()) {
          LOG.severe("dropping deleted subvolumes stopped: " + t);
          return;
        }
        LOG.severe(
            "dropping deleted subvolumes failed (retrying in " + RETRY_SECONDS + " s): " + t);
        try {
          wake.tryAcquire(RETRY_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Stops between pieces: what is left is resumed at the next mount. */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    wake.release();
    thread.join();
  }
}
