package org.jbtrfs.fs.write.logreplay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.ObjectIds;

/**
 * One subvolume's fsync log, read whole into memory: replay walks it several times and asks it many
 * small questions (is this name, this xattr, this dir index still in the log?).
 */
final class LogTree {
  private final long subvolumeId;
  private final TreeMap<Key, byte[]> items;

  LogTree(long subvolumeId, TreeMap<Key, byte[]> items) {
    this.subvolumeId = subvolumeId;
    this.items = items;
  }

  long subvolumeId() {
    return subvolumeId;
  }

  /** Every item in key order, as the kernel's walk over the log's leaves sees them. */
  NavigableMap<Key, byte[]> items() {
    return items;
  }

  byte[] get(Key key) {
    return items.get(key);
  }

  /** Whether the log's INODE_REF (ino, parent) carries {@code name}. */
  boolean refHasName(long ino, long parent, byte[] name) throws FormatException {
    byte[] raw = items.get(new Key(ino, ItemType.INODE_REF, parent));
    if (raw == null) return false;
    for (InodeRef r : InodeRef.parseRefs(parent, raw, 0, raw.length))
      if (Arrays.equals(r.name(), name)) return true;
    return false;
  }

  /** Whether the log's INODE_EXTREF items of {@code ino} carry (parent, name). */
  boolean extrefHasName(long ino, long parent, byte[] name) throws FormatException {
    byte[] raw = items.get(new Key(ino, ItemType.INODE_EXTREF, NameHash.extrefHash(parent, name)));
    if (raw == null) return false;
    for (InodeRef r : InodeRef.parseExtrefs(raw, 0, raw.length))
      if (r.parent() == parent && Arrays.equals(r.name(), name)) return true;
    return false;
  }

  /** Whether the log has dir index {@code index} of {@code dir} with this name. */
  boolean hasDirIndex(long dir, long index, byte[] name) throws FormatException {
    byte[] raw = items.get(new Key(dir, ItemType.DIR_INDEX, index));
    if (raw == null) return false;
    for (DirItem d : DirItem.parseAll(raw, 0, raw.length))
      if (Arrays.equals(d.name(), name)) return true;
    return false;
  }

  boolean hasXattr(long ino, byte[] name) throws FormatException {
    byte[] raw = items.get(new Key(ino, ItemType.XATTR_ITEM, NameHash.crc32cName(name)));
    if (raw == null) return false;
    for (DirItem d : DirItem.parseAll(raw, 0, raw.length))
      if (Arrays.equals(d.name(), name)) return true;
    return false;
  }

  /**
   * The dir index ranges [start, end] of {@code dir} for which the log is authoritative: an entry
   * of the subvolume inside one of them but not in the log was deleted before the fsync.
   */
  List<long[]> dirLogRanges(long dir) throws FormatException {
    List<long[]> out = new ArrayList<>();
    Map<Key, byte[]> sub =
        items.subMap(
            new Key(dir, ItemType.DIR_LOG_INDEX, 0), true,
            new Key(dir, ItemType.DIR_LOG_INDEX, -1L), true);
    for (Map.Entry<Key, byte[]> e : sub.entrySet()) {
      if (e.getValue().length < 8)
        throw new FormatException("dir log item of directory " + dir + " too small");
      out.add(new long[] {e.getKey().offset(), Le.u64(e.getValue(), 0)});
    }
    return out;
  }

  /** A run of consecutive data checksums from the log: first byte address and the sums. */
  record CsumRun(long start, byte[] sums) {}

  /**
   * The checksums the log holds for data in [start, end), cut to that range, one run per log item
   * piece (gaps, such as nodatasum data, simply have no run).
   */
  List<CsumRun> csums(long start, long end, int sectorSize, int csumSize) {
    List<CsumRun> out = new ArrayList<>();
    Key from = new Key(ObjectIds.EXTENT_CSUM, ItemType.EXTENT_CSUM, 0);
    Key floor = items.floorKey(new Key(ObjectIds.EXTENT_CSUM, ItemType.EXTENT_CSUM, start));
    if (floor != null && floor.compareTo(from) >= 0) from = floor;
    for (Map.Entry<Key, byte[]> e :
        items
            .subMap(from, true, new Key(ObjectIds.EXTENT_CSUM, ItemType.EXTENT_CSUM, -1L), true)
            .entrySet()) {
      long itemStart = e.getKey().offset();
      if (Long.compareUnsigned(itemStart, end) >= 0) break;
      long itemEnd = itemStart + (long) (e.getValue().length / csumSize) * sectorSize;
      long s = Math.max(itemStart, start);
      long t = Math.min(itemEnd, end);
      if (s >= t) continue;
      int from0 = (int) ((s - itemStart) / sectorSize) * csumSize;
      int to0 = (int) ((t - itemStart) / sectorSize) * csumSize;
      out.add(new CsumRun(s, Arrays.copyOfRange(e.getValue(), from0, to0)));
    }
    return out;
  }
}
