package org.jbtrfs.fs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decompressed extents by disk address, so reading a compressed file sequentially in small FUSE
 * requests decompresses each extent once. Bounded in bytes.
 */
final class ExtentCache {
  private final long capacity;
  private long used;
  private final LinkedHashMap<Long, byte[]> map = new LinkedHashMap<>(64, 0.75f, true);

  ExtentCache(long capacity) {
    this.capacity = capacity;
  }

  synchronized byte[] get(long diskBytenr) {
    return map.get(diskBytenr);
  }

  synchronized void put(long diskBytenr, byte[] data) {
    if (data.length > capacity / 4) return;
    byte[] old = map.put(diskBytenr, data);
    if (old != null) used -= old.length;
    used += data.length;
    var it = map.entrySet().iterator();
    while (used > capacity && it.hasNext()) {
      Map.Entry<Long, byte[]> e = it.next();
      used -= e.getValue().length;
      it.remove();
    }
  }
}
