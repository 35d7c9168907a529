package org.jbtrfs.space;

/**
 * How hard a chunk allocation is wanted, as the kernel's chunk-allocation force levels: without
 * force a new chunk is made only once the type's chunks are mostly used, so flushing does not carve
 * the devices into half-empty chunks; limited also keeps about 1% of the filesystem free in the
 * type; forced always allocates (the caller knows nothing smaller will do).
 */
public enum ChunkForce {
  NO_FORCE,
  LIMITED,
  FORCE;

  private static final long MiB = 1L << 20;

  /**
   * Whether a chunk is worth adding for a type whose chunks hold {@code total} bytes of which
   * {@code used} are allocated, reserved, pinned or read-only (promises not counted), on a
   * filesystem of {@code fsBytes}.
   */
  public boolean worthAllocating(long total, long used, long fsBytes) {
    if (this == FORCE) return true;
    if (this == LIMITED && total - used < Math.max(64 * MiB, fsBytes / 100)) return true;
    // Up to 80% full (with 2 MiB of slack) the existing chunks are enough.
    return used + 2 * MiB >= total / 100 * 80;
  }
}
