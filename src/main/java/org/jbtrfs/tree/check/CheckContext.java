package org.jbtrfs.tree.check;

import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.TreeHeader;

/**
 * What the item rules need to know about the filesystem: sizes, features, whether the mount may
 * write, and the generation of the last commit (which moves on at every commit, so the rules can
 * tell an item stamped by a future transaction from one the next commit is about to write).
 */
public final class CheckContext {
  /** Set to false for benchmarks only: compares runs with and without the item checks. */
  public static final String PROPERTY = "jbtrfs.itemChecks";

  private final int sectorSize;
  private final int nodeSize;
  private final int csumSize;
  private final long incompatFlags;
  private final boolean readOnly;
  private final boolean enabled;
  private volatile long committedGeneration;

  public CheckContext(
      int sectorSize,
      int nodeSize,
      int csumSize,
      long incompatFlags,
      boolean readOnly,
      long committedGeneration,
      boolean enabled) {
    this.sectorSize = sectorSize;
    this.nodeSize = nodeSize;
    this.csumSize = csumSize;
    this.incompatFlags = incompatFlags;
    this.readOnly = readOnly;
    this.committedGeneration = committedGeneration;
    this.enabled = enabled;
  }

  /** A context with the item checks on unless {@link #PROPERTY} is "false". */
  public static CheckContext of(
      int sectorSize,
      int nodeSize,
      int csumSize,
      long incompatFlags,
      boolean readOnly,
      long committedGeneration) {
    boolean on = !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true"));
    return new CheckContext(
        sectorSize, nodeSize, csumSize, incompatFlags, readOnly, committedGeneration, on);
  }

  public int sectorSize() {
    return sectorSize;
  }

  public int nodeSize() {
    return nodeSize;
  }

  public int csumSize() {
    return csumSize;
  }

  public boolean readOnly() {
    return readOnly;
  }

  public boolean enabled() {
    return enabled;
  }

  public boolean hasIncompat(long bit) {
    return (incompatFlags & bit) != 0;
  }

  public boolean skinnyMetadata() {
    return hasIncompat(FeatureFlags.INCOMPAT_SKINNY_METADATA);
  }

  public boolean mixedGroups() {
    return hasIncompat(FeatureFlags.INCOMPAT_MIXED_GROUPS);
  }

  /** The generation of the superblock last committed. */
  public long committedGeneration() {
    return committedGeneration;
  }

  /**
   * The newest generation an item may carry: one past the last commit, since a log tree (and the
   * commit being written) hold items of the running transaction.
   */
  public long maxGeneration() {
    return committedGeneration + 1;
  }

  /** Called when a commit's superblock is on disk. */
  public void committed(long generation) {
    committedGeneration = generation;
  }

  /** Leaf data size: the block less its header (BTRFS_LEAF_DATA_SIZE). */
  public int leafDataSize() {
    return nodeSize - TreeHeader.SIZE;
  }

  /** The largest item: the leaf data less one item descriptor (BTRFS_MAX_ITEM_SIZE). */
  public int maxItemSize() {
    return leafDataSize() - TreeHeader.ITEM_SIZE;
  }
}
