package org.jbtrfs.txn;

import java.io.IOException;
import java.util.List;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.volume.RaidProfile;

/**
 * Space promised before it is allocated, so a full disk is met with ENOSPC when the user writes
 * (and nothing half-done), never by a commit that cannot finish. Data written into the page buffer
 * reserves its bytes up front; metadata changes require a global reserve of metadata headroom,
 * which deletions may dig into so a full filesystem can always be cleaned up.
 */
public final class SpaceReservations {
  /** Never hand the last metadata chunk's worth of unallocated space to data. */
  private static final long METADATA_PLENTY = 32L << 20;

  /** Unallocated space that chunk rounding may leave unusable. */
  private static final long CHUNK_SLACK = 2L << 20;

  private final WriteEngine engine;
  private long dataReserved;
  private String allocatableKey;
  private long allocatable;

  SpaceReservations(WriteEngine engine) {
    this.engine = engine;
  }

  /**
   * Reserves {@code bytes} of data space or throws NoSpaceException (the caller may commit and
   * retry).
   */
  public synchronized void reserveData(long bytes) throws IOException {
    if (bytes <= 0) return;
    if (dataReserved + bytes > dataAvailable()) {
      throw new NoSpaceException(
          "no data space for " + bytes + " more bytes (" + dataReserved + " reserved)");
    }
    dataReserved += bytes;
  }

  public synchronized void releaseData(long bytes) {
    dataReserved = Math.max(0, dataReserved - bytes);
  }

  public synchronized long dataReserved() {
    return dataReserved;
  }

  /** Free bytes in data block groups plus what new data chunks could still get. */
  long dataAvailable() throws IOException {
    long free = engine.groups().totalFree(BlockGroupItem.TYPE_DATA);
    long keep =
        engine.groups().totalFree(BlockGroupItem.TYPE_METADATA) >= METADATA_PLENTY
            ? 0
            : metadataChunkBytes();
    int copies = copies(BlockGroupItem.TYPE_DATA);
    // What the chunk allocator could still place for data (device sizes and the profile's device
    // rules included), less room kept for a metadata chunk and for rounding.
    long usable = Math.max(0, allocatableData() - (keep + CHUNK_SLACK) / copies);
    return free + usable;
  }

  /**
   * Data chunk bytes the devices could still take, recomputed only when device allocation changed
   * (the simulation walks every dev extent).
   */
  private synchronized long allocatableData() throws IOException {
    List<DevItem> devs = devItems();
    StringBuilder key = new StringBuilder();
    for (DevItem d : devs)
      key.append(d.devid())
          .append(":")
          .append(d.totalBytes())
          .append("/")
          .append(d.bytesUsed())
          .append(",");
    if (!key.toString().equals(allocatableKey)) {
      allocatable = engine.allocatableChunkBytes(BlockGroupItem.TYPE_DATA);
      allocatableKey = key.toString();
    }
    return allocatable;
  }

  /**
   * Makes sure a metadata change can complete: enough free metadata for the global reserve, by
   * adding a metadata chunk if needed. {@code freesSpace} changes (unlink, rmdir, truncate) may use
   * the reserve itself.
   */
  public void checkMetadata(boolean freesSpace) throws IOException {
    long reserve = globalReserve();
    long free = engine.groups().totalFree(BlockGroupItem.TYPE_METADATA);
    if (free >= reserve) return;
    if (unallocated() >= metadataChunkBytes() / 4) {
      engine.growMetadata();
      free = engine.groups().totalFree(BlockGroupItem.TYPE_METADATA);
      if (free >= reserve) return;
    }
    if (freesSpace && free >= reserve / 4) return;
    throw new NoSpaceException(
        "metadata space exhausted (" + free + " bytes free, reserve " + reserve + ")");
  }

  /** Enough metadata for a handful of worst-case tree changes plus the commit's own. */
  long globalReserve() {
    long node = engine.fs().superblock().nodeSize();
    return Math.max(4L << 20, node * 8 * 2 * 16);
  }

  /** Device items as the running transaction has them (chunk allocation changes bytes used). */
  public java.util.List<DevItem> devItems() throws IOException {
    java.util.List<DevItem> out = new java.util.ArrayList<>();
    for (long devid : engine.fs().devices().all().keySet()) {
      byte[] raw =
          engine
              .tree(ObjectIds.CHUNK_TREE)
              .get(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid));
      if (raw != null) out.add(DevItem.parse(raw, 0));
    }
    return out;
  }

  private long unallocated() throws IOException {
    long sum = 0;
    for (DevItem d : devItems()) sum += Math.max(0, d.totalBytes() - d.bytesUsed() - (1L << 20));
    return sum;
  }

  private long metadataChunkBytes() {
    return ChunkPlanner.typicalChunkSize(
            BlockGroupItem.TYPE_METADATA, engine.fs().superblock().totalBytes())
        * copies(BlockGroupItem.TYPE_METADATA);
  }

  private int copies(long type) {
    for (var bg : engine.groups().all()) {
      if ((bg.flags()
              & (BlockGroupItem.TYPE_DATA
                  | BlockGroupItem.TYPE_METADATA
                  | BlockGroupItem.TYPE_SYSTEM))
          == type) {
        return Math.max(1, RaidProfile.fromFlags(bg.flags()).ncopies());
      }
    }
    return 1;
  }
}
