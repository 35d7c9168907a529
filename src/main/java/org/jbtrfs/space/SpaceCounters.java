package org.jbtrfs.space;

/** One consistent reading of a space info's counters, in bytes. */
public record SpaceCounters(
    String name, long total, long used, long reserved, long pinned, long mayUse, long readonly) {
  /** Allocated or promised: what a new reservation must fit beside. */
  public long allUsed() {
    return used + reserved + pinned + readonly + mayUse;
  }
}
