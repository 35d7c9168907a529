package org.jbtrfs.tree;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Hands out node-aligned addresses from a counter, never reusing one, and tracks which are live so
 * tests can prove every block the tree dropped was freed and nothing live was freed twice.
 */
final class CountingAllocator implements TreeBlockAllocator {
  private final int nodeSize;
  private long next;
  private final Map<Long, Integer> live = new HashMap<>(); // address -> level
  private final Set<Long> freedSinceCommit = new HashSet<>();
  long allocations;
  long frees;

  CountingAllocator(long base, int nodeSize) {
    this.next = base;
    this.nodeSize = nodeSize;
  }

  @Override
  public long allocate(long owner, int level) {
    long a = next;
    next += nodeSize;
    live.put(a, level);
    allocations++;
    return a;
  }

  @Override
  public void free(long bytenr, long owner, int level) {
    Integer l = live.remove(bytenr);
    if (l == null) throw new AssertionError("free of a block that is not live: " + bytenr);
    if (l != level && l >= 0)
      throw new AssertionError("block " + bytenr + " freed at level " + level + ", was " + l);
    freedSinceCommit.add(bytenr);
    frees++;
  }

  /**
   * Marks a block that existed before the test's tree (e.g. loaded) as live at an unknown level.
   */
  void adopt(long bytenr) {
    live.put(bytenr, -1);
  }

  Set<Long> live() {
    return live.keySet();
  }

  /** Addresses freed since the last commit; their old contents may be dropped from the device. */
  Set<Long> drainFreed() {
    Set<Long> s = new HashSet<>(freedSinceCommit);
    freedSinceCommit.clear();
    return s;
  }
}
