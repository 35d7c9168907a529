package org.jbtrfs.fs;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decompressed extents by disk address, so reading a compressed file sequentially in small FUSE
 * requests decompresses each extent once. Bounded in bytes. An address given to a new extent is
 * forgotten first ({@link #forget}): freed space is reused, and a stale entry there would be
 * another file's bytes.
 */
final class ExtentCache {
  private record Entry(long diskLen, byte[] plain) {}

  private final long capacity;
  private long used;
  private final LinkedHashMap<Long, Entry> map = new LinkedHashMap<>(64, 0.75f, true);

  /** Disk start to disk length of every entry, for {@link #forget}'s overlap search. */
  private final TreeMap<Long, Long> ranges = new TreeMap<>();

  ExtentCache(long capacity) {
    this.capacity = capacity;
  }

  synchronized byte[] get(long diskBytenr) {
    Entry e = map.get(diskBytenr);
    return e == null ? null : e.plain();
  }

  synchronized void put(long diskBytenr, long diskLen, byte[] data) {
    if (data.length > capacity / 4) return;
    drop(diskBytenr);
    map.put(diskBytenr, new Entry(diskLen, data));
    ranges.put(diskBytenr, diskLen);
    used += data.length;
    var it = map.entrySet().iterator();
    while (used > capacity && it.hasNext()) {
      Map.Entry<Long, Entry> e = it.next();
      used -= e.getValue().plain().length;
      ranges.remove(e.getKey());
      it.remove();
    }
  }

  /** Drops every entry whose disk range overlaps [start, start+len). */
  synchronized void forget(long start, long len) {
    if (ranges.isEmpty()) return;
    Map.Entry<Long, Long> below = ranges.lowerEntry(start);
    if (below != null && below.getKey() + below.getValue() > start) drop(below.getKey());
    for (Long k : ranges.subMap(start, true, start + len, false).keySet().toArray(new Long[0])) {
      drop(k);
    }
  }

  private void drop(long diskBytenr) {
    Entry old = map.remove(diskBytenr);
    if (old == null) return;
    used -= old.plain().length;
    ranges.remove(diskBytenr);
  }
}
