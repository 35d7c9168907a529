package org.jbtrfs.space;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jbtrfs.format.BlockGroupItem;

/**
 * Space of one block group type (data, metadata, system; both bits for mixed groups), as the
 * kernel's btrfs_space_info: total bytes of its chunks, and what of it is used (committed extents),
 * reserved (allocated in the running transaction), pinned (freed in the running transaction,
 * reusable after its commit), readonly, and may_use (promised to reservations, not allocated yet).
 * All counters change under one lock so they are always consistent with each other; the same lock
 * orders the waiting reservations (tickets).
 */
public final class SpaceInfo {
  private final long typeFlags;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<Ticket> tickets = new ArrayDeque<>();
  private long total;
  private long used;
  private long reserved;
  private long pinned;
  private long readonly;
  private long mayUse;
  private boolean flushing;

  /** Promised bytes that the allocations under way use up (see expectAllocation). */
  private long allocationCredit;

  /** Bytes that ever came back (freed, unpinned, released, new chunks): flushing progress. */
  private long progress;

  private Capacity capacity;

  public SpaceInfo(long typeFlags) {
    this.typeFlags = typeFlags;
  }

  public long typeFlags() {
    return typeFlags;
  }

  public boolean isData() {
    return (typeFlags & BlockGroupItem.TYPE_DATA) != 0
        && (typeFlags & BlockGroupItem.TYPE_METADATA) == 0;
  }

  void setCapacity(Capacity capacity) {
    this.capacity = capacity;
  }

  public String name() {
    StringBuilder sb = new StringBuilder();
    if ((typeFlags & BlockGroupItem.TYPE_DATA) != 0) sb.append("Data");
    if ((typeFlags & BlockGroupItem.TYPE_METADATA) != 0)
      sb.append(sb.isEmpty() ? "" : "+").append("Metadata");
    if ((typeFlags & BlockGroupItem.TYPE_SYSTEM) != 0) sb.append("System");
    return sb.toString();
  }

  /** A consistent copy of the counters. */
  public SpaceCounters counters() {
    lock.lock();
    try {
      return new SpaceCounters(name(), total, used, reserved, pinned, mayUse, readonly);
    } finally {
      lock.unlock();
    }
  }

  // ---- allocator events (the block groups report every change) ----

  /** A new block group (or one loaded at mount) of {@code length} bytes, {@code usedBytes} used. */
  public void addGroup(long length, long usedBytes) {
    addGroup(length, usedBytes, 0);
  }

  /** A block group of which {@code readonlyBytes} can never be allocated (superblock copies). */
  public void addGroup(long length, long usedBytes, long readonlyBytes) {
    lock.lock();
    try {
      total += length;
      used += usedBytes;
      readonly += readonlyBytes;
      progress += length - usedBytes - readonlyBytes;
      grantTicketsLocked();
    } finally {
      lock.unlock();
    }
  }

  /** An empty block group went away with its chunk ({@code readonlyBytes} as it was added). */
  public void removeGroup(long length, long readonlyBytes) {
    lock.lock();
    try {
      total -= length;
      readonly -= readonlyBytes;
    } finally {
      lock.unlock();
    }
  }

  /** An extent was allocated in the running transaction. */
  public void allocated(long len) {
    lock.lock();
    try {
      reserved += len;
      // A reservation being used up: its bytes move from may_use to reserved in one step, so no
      // waiting ticket is ever granted space that is about to be allocated.
      long n = Math.min(len, allocationCredit);
      allocationCredit -= n;
      mayUse -= n;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next {@code bytes} of allocations use promised bytes (buffered data being written back):
   * they stay in may_use until allocated.
   */
  void expectAllocation(long bytes) {
    lock.lock();
    try {
      allocationCredit += bytes;
    } finally {
      lock.unlock();
    }
  }

  /** Allocation is done: promised bytes it did not use (compressed, inline) are given back. */
  void endAllocation() {
    lock.lock();
    try {
      long n = allocationCredit;
      allocationCredit = 0;
      if (n > 0) {
        mayUse -= n;
        progress += n;
        grantTicketsLocked();
      }
    } finally {
      lock.unlock();
    }
  }

  /** An extent allocated in the running transaction was freed again: reusable at once. */
  public void freedUncommitted(long len) {
    lock.lock();
    try {
      long fromReserved = Math.min(reserved, len);
      reserved -= fromReserved;
      used -= len - fromReserved;
      progress += len;
      grantTicketsLocked();
    } finally {
      lock.unlock();
    }
  }

  /** A committed extent was freed: pinned until the commit. */
  public void pinned(long len) {
    lock.lock();
    try {
      // Extents allocated earlier in this transaction whose references already ran count as
      // reserved, not used; either way the bytes leave the allocated state.
      long fromUsed = Math.min(used, len);
      used -= fromUsed;
      reserved -= len - fromUsed;
      pinned += len;
    } finally {
      lock.unlock();
    }
  }

  /** The commit is on disk: pinned bytes are free, and this transaction's allocations are used. */
  public void committed() {
    lock.lock();
    try {
      used += reserved;
      reserved = 0;
      progress += pinned;
      pinned = 0;
      grantTicketsLocked();
    } finally {
      lock.unlock();
    }
  }

  // ---- reservations ----

  /** Adds to may_use without any check (the global reserve refilling; it may overcommit). */
  void addMayUse(long bytes) {
    lock.lock();
    try {
      mayUse += bytes;
    } finally {
      lock.unlock();
    }
  }

  /** Gives promised bytes back and grants waiting tickets that now fit. */
  void releaseMayUse(long bytes) {
    releaseMayUse(bytes, true);
  }

  /**
   * Gives promised bytes back; {@code freed} is false when they are about to be allocated (a
   * reservation being used up), which makes no room and so is no flushing progress.
   */
  void releaseMayUse(long bytes, boolean freed) {
    if (bytes == 0) return;
    lock.lock();
    try {
      if (bytes > mayUse)
        throw new IllegalStateException(
            name() + ": releasing " + bytes + " bytes, only " + mayUse + " promised");
      mayUse -= bytes;
      if (freed) progress += bytes;
      grantTicketsLocked();
    } finally {
      lock.unlock();
    }
  }

  /** Reserves at once if nobody is queued and it fits; never waits. */
  boolean tryReserve(long bytes, FlushMode mode) {
    lock.lock();
    try {
      if (!tickets.isEmpty() || !fitsLocked(bytes, mode)) return false;
      mayUse += bytes;
      return true;
    } finally {
      lock.unlock();
    }
  }

  boolean fitsLocked(long bytes, FlushMode mode) {
    return usedLocked(true) + bytes <= total || Overcommit.allowed(this, bytes, mode, capacity);
  }

  long usedLocked(boolean withMayUse) {
    return used + reserved + pinned + readonly + (withMayUse ? mayUse : 0);
  }

  long totalLocked() {
    return total;
  }

  long progress() {
    lock.lock();
    try {
      return progress;
    } finally {
      lock.unlock();
    }
  }

  /** Free bytes in the chunks after every promise; negative when overcommitted. */
  public long headroom() {
    lock.lock();
    try {
      return total - usedLocked(true);
    } finally {
      lock.unlock();
    }
  }

  // ---- tickets (used by ReservationFlusher) ----

  ReentrantLock lock() {
    return lock;
  }

  Condition changed() {
    return changed;
  }

  Deque<Ticket> tickets() {
    return tickets;
  }

  boolean flushing() {
    return flushing;
  }

  void setFlushing(boolean f) {
    flushing = f;
  }

  /** Grants queued tickets in order while the first one fits. Caller holds the lock. */
  void grantTicketsLocked() {
    boolean any = false;
    while (!tickets.isEmpty()) {
      Ticket t = tickets.peekFirst();
      if (!fitsLocked(t.bytes, t.mode)) break;
      tickets.removeFirst();
      mayUse += t.bytes;
      t.state = Ticket.State.GRANTED;
      any = true;
    }
    if (any) changed.signalAll();
  }

  @Override
  public String toString() {
    return counters().toString();
  }
}
