package org.jbtrfs.txn;

import java.io.IOException;
import java.util.Map;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.volume.ChunkDiscard;

/**
 * FITRIM of the free space inside chunks, as the kernel's btrfs_trim_block_group: in every block
 * group overlapping the asked logical range, each free extent (the part inside the range, when at
 * least the minimum length) is discarded on every device that holds a copy of it.
 *
 * <p>Only space that is free now is discarded, never space the last commit still uses: extents
 * freed in the running transaction stay pinned (outside the free map) until it commits, and the
 * caller holds the write lock, so nothing is allocated meanwhile. Data queued for a range that was
 * freed again before it landed has already been dropped by the allocator's reuse guard.
 */
public final class FreeSpaceTrim {
  private FreeSpaceTrim() {}

  /** Discards free space in logical [start, end); returns the device bytes trimmed. */
  public static long trim(WriteEngine engine, long start, long end, long minLen)
      throws IOException {
    long trimmed = 0;
    for (BlockGroup bg : engine.groups().all()) {
      if (bg.end() <= start || bg.start() >= end) continue;
      var chunk = engine.fs().chunks().lookup(bg.start());
      // Discarding leaves the free map as it is, so it can be walked directly.
      for (Map.Entry<Long, Long> e : bg.free().ranges().entrySet()) {
        long a = Math.max(e.getKey(), start);
        long b = Math.min(e.getKey() + e.getValue(), end);
        if (b - a <= 0 || b - a < minLen) continue;
        trimmed += ChunkDiscard.discard(chunk, engine.fs().devices(), a, b - a);
      }
    }
    return trimmed;
  }
}
