package org.jbtrfs.fs.write;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.ByteArrays;

/**
 * Data written but not yet turned into extents ("delalloc"), per inode, in sector-sized pages.
 * Reads overlay these pages on what the trees say; writeback turns runs of them into extents.
 */
public final class DirtyPages {
  private final int pageSize;
  private final Map<Long, TreeMap<Long, byte[]>> byInode = new java.util.HashMap<>();
  private long bytes;

  /**
   * Page arrays whose data reached the disk, kept for the next writes: a stream of new 4 KiB arrays
   * that live until writeback made every young collection copy the dirty data, and collections took
   * a fifth of a large write's time. Bounded by {@code maxSpare}.
   */
  private final java.util.ArrayDeque<byte[]> spare = new java.util.ArrayDeque<>();

  private final int maxSpare;

  public DirtyPages(int pageSize) {
    this(pageSize, 0);
  }

  /** {@code maxSpareBytes}: how much written-back page memory to keep for reuse. */
  public DirtyPages(int pageSize, long maxSpareBytes) {
    this.pageSize = pageSize;
    this.maxSpare = (int) Math.min(Integer.MAX_VALUE, maxSpareBytes / pageSize);
  }

  /**
   * A page array for new dirty data: zero-filled unless the caller fills it whole ({@code
   * fillsWhole}), since a reused array still holds data of some other file.
   */
  public byte[] newPage(boolean fillsWhole) {
    byte[] p = spare.pollLast();
    if (p == null) return new byte[pageSize];
    if (!fillsWhole) ByteArrays.zero(p, 0, p.length);
    return p;
  }

  /** Takes back page arrays nobody references any more (their data is on disk or dropped). */
  public void recycle(java.util.Collection<byte[]> pages) {
    for (byte[] p : pages) {
      if (spare.size() >= maxSpare) return;
      if (p.length == pageSize) spare.addLast(p);
    }
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
