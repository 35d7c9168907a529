package org.jbtrfs.space;

/** What overcommitting needs to know about the devices and the global reserve. */
public interface Capacity {
  /**
   * Unallocated device space a chunk of {@code info}'s type could still use, already divided by its
   * profile's copy count.
   */
  long unallocatedFor(SpaceInfo info);

  /** The size a new data chunk would get: overcommit never eats the room for one. */
  long dataChunkSize();

  /** The global reserve's size: overcommit is only allowed while real free space backs it. */
  long globalReserveSize();
}
