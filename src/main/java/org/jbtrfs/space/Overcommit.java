package org.jbtrfs.space;

/**
 * Whether a metadata reservation may promise more than the allocated chunks hold, counting on a
 * chunk allocation later (the kernel's btrfs_can_overcommit): data never overcommits (its bytes are
 * exact); metadata may promise a share of the unallocated space left after a data chunk, half of it
 * for callers that cannot flush much and an eighth for those that can flush everything; and never
 * while the global reserve is not backed by real free space, since the reserve is what lets a
 * commit finish.
 */
public final class Overcommit {
  private Overcommit() {}

  /** Caller holds {@code info}'s lock. */
  static boolean allowed(SpaceInfo info, long bytes, FlushMode mode, Capacity capacity) {
    if (capacity == null || info.isData()) return false;
    if (!globalReserveBacked(info, capacity)) return false;
    long avail = capacity.unallocatedFor(info) - capacity.dataChunkSize();
    if (avail <= 0) return false;
    avail >>= mode == FlushMode.FLUSH_ALL ? 3 : 1;
    return info.usedLocked(true) + bytes < info.totalLocked() + avail;
  }

  /** Real (allocated, not promised) use plus the whole global reserve fits in the chunks. */
  static boolean globalReserveBacked(SpaceInfo info, Capacity capacity) {
    return info.usedLocked(false) + capacity.globalReserveSize() <= info.totalLocked();
  }
}
