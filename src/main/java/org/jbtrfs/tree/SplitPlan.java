package org.jbtrfs.tree;

/**
 * Where to cut an overfull leaf. Prefers one cut with the bytes as even as possible on both sides
 * (like the kernel's split_leaf, the new leaf goes to the right); when no single cut leaves both
 * halves fitting, the item that grew gets a leaf of its own between its neighbours. An item added
 * after every other of the tree starts a leaf of its own instead, leaving the old one full: keys
 * that keep growing (new inodes, the extents and checksums of new chunks) then fill their leaves,
 * as the kernel's fill them by pushing items into the left neighbour before it splits.
 */
final class SplitPlan {
  private SplitPlan() {}

  /**
   * Start indices of each group after the first (the first group starts at 0). {@code capacity} is
   * the leaf data area; {@code hot} is the slot that grew, or -1 when any item may be split off;
   * {@code rightEdge} says the leaf is the tree's last.
   */
  static int[] leafCuts(LeafItems items, int capacity, int hot, boolean rightEdge) {
    int n = items.size();
    int total = items.bytesUsed(0, n);
    if (total <= capacity) return new int[0];
    if (rightEdge && hot == n - 1 && n > 1 && items.bytesUsed(0, n - 1) <= capacity) {
      return new int[] {n - 1};
    }
    int best = -1;
    int bestDiff = Integer.MAX_VALUE;
    int left = 0;
    for (int cut = 1; cut < n; cut++) {
      left += items.footprint(cut - 1);
      int right = total - left;
      if (left <= capacity && right <= capacity && Math.abs(left - right) < bestDiff) {
        best = cut;
        bestDiff = Math.abs(left - right);
      }
    }
    if (best > 0) return new int[] {best};
    if (hot < 0)
      throw new IllegalStateException("leaf of " + total + " bytes cannot be split in two");
    // Before and after the grown item each fit: together they fitted before the change.
    if (hot == 0) return new int[] {1};
    if (hot == n - 1) return new int[] {n - 1};
    return new int[] {hot, hot + 1};
  }

  /**
   * Start indices of groups after the first so no group exceeds {@code max} entries, sizes even.
   */
  static int[] evenCuts(int n, int max) {
    int groups = (n + max - 1) / max;
    int[] cuts = new int[groups - 1];
    for (int g = 1; g < groups; g++) cuts[g - 1] = (int) ((long) n * g / groups);
    return cuts;
  }
}
