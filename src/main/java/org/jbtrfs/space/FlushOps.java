package org.jbtrfs.space;

import java.io.IOException;

/**
 * The real operations behind the flusher's states, kept behind an interface so the flusher's
 * ordering and ticket handling can be tested with fakes. Each is called with no space lock held.
 */
public interface FlushOps {
  /** Stores deferred inode updates. */
  void flushDelayedItems() throws IOException;

  /** Runs queued extent reference changes. */
  void runDelayedRefs() throws IOException;

  /** Writes back at least {@code bytes} of buffered data when there is that much. */
  void flushDelalloc(long bytes) throws IOException;

  /** Writes back all buffered data. */
  void flushAllDelalloc() throws IOException;

  /**
   * Adds a chunk of {@code info}'s type when {@code force} finds it worth it; false when it did not
   * or the devices have no room for one.
   */
  boolean allocateChunk(SpaceInfo info, ChunkForce force) throws IOException;

  /** Commits the running transaction. */
  void commit() throws IOException;
}
