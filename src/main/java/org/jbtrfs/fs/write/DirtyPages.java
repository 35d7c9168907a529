package org.jbtrfs.fs.write;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Data written but not yet turned into extents ("delalloc"), per inode, in sector-sized pages.
 * Reads overlay these pages on what the trees say; writeback turns runs of them into extents.
 */
public final class DirtyPages {
  private final int pageSize;
  private final Map<Long, TreeMap<Long, byte[]>> byInode = new java.util.HashMap<>();
  private long bytes;

  public DirtyPages(int pageSize) {
    this.pageSize = pageSize;
  }

  public int pageSize() {
    return pageSize;
  }

  public long bytes() {
    return bytes;
  }

  public boolean isEmpty() {
    return byInode.isEmpty();
  }

  public TreeMap<Long, byte[]> pages(long ino) {
    return byInode.get(ino);
  }

  /** The page at index {@code idx}, or null. */
  public byte[] page(long ino, long idx) {
    TreeMap<Long, byte[]> m = byInode.get(ino);
    return m == null ? null : m.get(idx);
  }

  public void put(long ino, long idx, byte[] page) {
    if (byInode.computeIfAbsent(ino, k -> new TreeMap<>()).put(idx, page) == null)
      bytes += pageSize;
  }

  /** Drops the pages at or after {@code fromIdx} (truncate); returns the bytes dropped. */
  public long dropFrom(long ino, long fromIdx) {
    TreeMap<Long, byte[]> m = byInode.get(ino);
    if (m == null) return 0;
    var tail = m.tailMap(fromIdx, true);
    long dropped = (long) tail.size() * pageSize;
    bytes -= dropped;
    tail.clear();
    if (m.isEmpty()) byInode.remove(ino);
    return dropped;
  }

  /** Removes and returns every inode's pages, for writeback. */
  public Map<Long, TreeMap<Long, byte[]>> takeAll() {
    Map<Long, TreeMap<Long, byte[]>> all = new java.util.HashMap<>(byInode);
    byInode.clear();
    bytes = 0;
    return all;
  }

  public TreeMap<Long, byte[]> take(long ino) {
    TreeMap<Long, byte[]> m = byInode.remove(ino);
    if (m != null) bytes -= (long) m.size() * pageSize;
    return m;
  }

  public List<Long> inodes() {
    return new ArrayList<>(byInode.keySet());
  }
}
