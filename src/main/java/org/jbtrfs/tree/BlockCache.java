package org.jbtrfs.tree;

import java.util.LinkedHashMap;
import java.util.Map;

/** Least-recently-used cache of verified tree blocks, bounded in bytes rather than entries. */
public final class BlockCache {
  private final long capacityBytes;
  private long usedBytes;
  private final LinkedHashMap<Long, TreeBlock> map = new LinkedHashMap<>(1024, 0.75f, true);

  public BlockCache(long capacityBytes) {
    this.capacityBytes = capacityBytes;
  }

  public synchronized TreeBlock get(long logical) {
    return map.get(logical);
  }

  public synchronized void put(TreeBlock block) {
    TreeBlock old = map.put(block.logical(), block);
    if (old != null) usedBytes -= old.size();
    usedBytes += block.size();
    var it = map.entrySet().iterator();
    while (usedBytes > capacityBytes && it.hasNext()) {
      Map.Entry<Long, TreeBlock> e = it.next();
      usedBytes -= e.getValue().size();
      it.remove();
    }
  }

  public synchronized void invalidate(long logical) {
    TreeBlock old = map.remove(logical);
    if (old != null) usedBytes -= old.size();
  }
}
