package org.jbtrfs.fs.write;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Who may touch a mounted filesystem's trees when. Reads share the read lock; a change takes the
 * write lock. A commit takes the write lock only to settle the transaction, then writes it out
 * holding no lock at all: readers keep going, and changes wait at a gate in front of the lock, not
 * inside its queue. (A change queued on a fair lock would make every later reader queue behind it,
 * so a commit's seconds of I/O would have stalled reads after all.)
 */
public final class MountLock {
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
  private final Object gate = new Object();
  private boolean committing;

  public void beginRead() {
    lock.readLock().lock();
  }

  public void endRead() {
    lock.readLock().unlock();
  }

  public boolean tryBeginRead(long timeout, TimeUnit unit) throws InterruptedException {
    return lock.readLock().tryLock(timeout, unit);
  }

  /** The right to change the trees: after any commit's I/O, then the write lock. */
  public void beginChange() {
    while (true) {
      awaitNoCommit(Long.MAX_VALUE);
      lock.writeLock().lock();
      if (!isCommitting()) return;
      // A commit began between the gate and the lock; its I/O must not see a change.
      lock.writeLock().unlock();
    }
  }

  /** As {@link #beginChange}, giving up after {@code timeout}. */
  public boolean tryBeginChange(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      if (!awaitNoCommit(deadline)) return false;
      long left = deadline - System.nanoTime();
      if (left <= 0 || !lock.writeLock().tryLock(left, TimeUnit.NANOSECONDS)) return false;
      if (!isCommitting()) return true;
      lock.writeLock().unlock();
    }
  }

  public void endChange() {
    lock.writeLock().unlock();
  }

  /** True when the calling thread holds the right to change (it may commit inline). */
  public boolean isChanging() {
    return lock.isWriteLockedByCurrentThread();
  }

  /**
   * Starts a commit: waits for another commit to finish, closes the gate to new changes, and takes
   * the write lock once the changes already under way are done.
   */
  public void beginCommit() {
    synchronized (gate) {
      while (committing) waitUninterruptibly();
      committing = true;
    }
    lock.writeLock().lock();
  }

  /** The transaction is settled: readers may come back while it is written out. */
  public void commitSettled() {
    lock.writeLock().unlock();
  }

  /** The commit is on disk (or failed): changes may go on. */
  public void endCommit() {
    if (lock.isWriteLockedByCurrentThread()) lock.writeLock().unlock();
    synchronized (gate) {
      committing = false;
      gate.notifyAll();
    }
  }

  private boolean isCommitting() {
    synchronized (gate) {
      return committing;
    }
  }

  /** Waits until no commit runs; false when {@code deadline} (System.nanoTime) passed first. */
  private boolean awaitNoCommit(long deadline) {
    synchronized (gate) {
      while (committing) {
        if (deadline == Long.MAX_VALUE) {
          waitUninterruptibly();
          continue;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        try {
          gate.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return true;
    }
  }

  private void waitUninterruptibly() {
    try {
      gate.wait();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
