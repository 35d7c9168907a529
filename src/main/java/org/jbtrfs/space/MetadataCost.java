package org.jbtrfs.space;

import org.jbtrfs.format.TreeHeader;

/**
 * Worst-case metadata bytes of tree changes, the kernel's estimates: inserting an item may COW a
 * path of MAX_LEVEL blocks and split each, so twice that many nodes; updating one in place COWs a
 * path; a delayed ref later changes the extent tree (and the free space tree, when there is one).
 */
public final class MetadataCost {
  /** The kernel caps one file extent at this much data. */
  public static final long MAX_EXTENT = 128L << 20;

  private static final int LEAF_DATA_OFFSET = 101;
  private static final int ITEM_HEADER = 25;

  private final long nodeSize;
  private final int sectorSize;
  private final int csumSize;
  private final boolean freeSpaceTree;

  public MetadataCost(long nodeSize, int sectorSize, int csumSize, boolean freeSpaceTree) {
    this.nodeSize = nodeSize;
    this.sectorSize = sectorSize;
    this.csumSize = csumSize;
    this.freeSpaceTree = freeSpaceTree;
  }

  public long nodeSize() {
    return nodeSize;
  }

  /** Inserting {@code items} items. */
  public long insert(long items) {
    return nodeSize * TreeHeader.MAX_LEVEL * 2 * items;
  }

  /** Changing {@code items} existing items in place. */
  public long update(long items) {
    return nodeSize * TreeHeader.MAX_LEVEL * items;
  }

  /** Running the delayed refs of {@code items} changes. */
  public long delayedRefs(long items) {
    return insert(items) * (freeSpaceTree ? 2 : 1);
  }

  /** Checksum tree leaves that {@code dataBytes} of checksummed data need. */
  public long csumLeaves(long dataBytes) {
    long perLeaf = (nodeSize - LEAF_DATA_OFFSET - ITEM_HEADER) / csumSize;
    long csums = (dataBytes + sectorSize - 1) / sectorSize;
    return (csums + perLeaf - 1) / perLeaf;
  }

  /** File extents {@code bytes} of contiguous data become at most. */
  public static long maxExtents(long bytes) {
    return (bytes + MAX_EXTENT - 1) / MAX_EXTENT;
  }

  /**
   * Metadata a file's buffered data needs when written back: its file extent items and checksum
   * leaves, and the inode update that records the new size.
   */
  public long delalloc(long extents, long dataBytes) {
    if (extents <= 0 && dataBytes <= 0) return 0;
    return insert(extents + csumLeaves(dataBytes)) + update(1);
  }
}
