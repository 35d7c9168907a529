package org.jbtrfs.extent;

import java.util.BitSet;
import org.jbtrfs.format.BlockGroupItem;

/** One block group: its chunk's logical range, type/profile flags, bytes used and free space. */
public final class BlockGroup {
  private final long start;
  private final long length;
  private final long flags;
  private long used;
  private final FreeSpaceMap free = new FreeSpaceMap();

  /** Bumped on every change; the commit rewrites the item and free space when it moved on. */
  private long version;

  private long writtenVersion;

  /** RAID5/6: the data bytes of one row (a full stripe); 0 for every other profile. */
  private long rowBytes;

  /** The transaction that made this group (0: it was there at mount). */
  private long createdIn;

  public long createdIn() {
    return createdIn;
  }

  public void setCreatedIn(long transid) {
    createdIn = transid;
  }

  /** Closed to new allocations while its extents are being moved away (relocation). */
  private volatile boolean readOnly;

  /** RAID5/6: rows (by index in the group) first written in the running transaction. */
  private final BitSet openRows = new BitSet();

  public BlockGroup(long start, long length, long flags, long used) {
    this.start = start;
    this.length = length;
    this.flags = flags;
    this.used = used;
  }

  public long start() {
    return start;
  }

  public long length() {
    return length;
  }

  public long end() {
    return start + length;
  }

  public long flags() {
    return flags;
  }

  public long used() {
    return used;
  }

  public FreeSpaceMap free() {
    return free;
  }

  public boolean isData() {
    return (flags & BlockGroupItem.TYPE_DATA) != 0;
  }

  public boolean isMetadata() {
    return (flags & BlockGroupItem.TYPE_METADATA) != 0;
  }

  public boolean isSystem() {
    return (flags & BlockGroupItem.TYPE_SYSTEM) != 0;
  }

  public boolean contains(long logical) {
    return logical >= start && logical < end();
  }

  void addUsed(long delta) {
    used += delta;
    if (used < 0 || used > length)
      throw new IllegalStateException("block group " + start + " used " + used);
    version++;
  }

  /**
   * Emptied by freeing a committed extent, or empty when the filesystem was opened: what the
   * kernel's cleaner considers for removal (a new group nothing was ever allocated in is not, until
   * a remount).
   */
  private boolean becameUnused;

  public boolean becameUnused() {
    return becameUnused;
  }

  /** Called when the group was opened, and when a committed extent in it was freed. */
  void noteIfUnused() {
    if (used == 0) becameUnused = true;
  }

  /** Changed since its item and free space entries were last recorded. */
  public boolean dirty() {
    return version != writtenVersion;
  }

  void touch() {
    version++;
  }

  public void markWritten() {
    writtenVersion = version;
  }

  public boolean readOnly() {
    return readOnly;
  }

  /**
   * Closes the group to allocation (relocation empties it) or opens it again. Frees into it still
   * count; only new extents go elsewhere.
   */
  public void setReadOnly(boolean ro) {
    readOnly = ro;
  }

  /** Makes this a parity group whose rows hold {@code bytes} of data each. */
  public void setRowBytes(long bytes) {
    this.rowBytes = bytes;
  }

  /** The data bytes of one RAID5/6 row, or 0 when the group has no parity. */
  public long rowBytes() {
    return rowBytes;
  }

  BitSet openRows() {
    return openRows;
  }
}
