package org.jbtrfs.tree;

import java.io.IOException;

/**
 * Where copy-on-write gets new tree block addresses and returns old ones. The write engine backs it
 * with the metadata allocator and delayed references; tests back it with a simple counter.
 */
public interface TreeBlockAllocator {
  /** A fresh, unused logical address for a tree block of tree {@code owner} at {@code level}. */
  long allocate(long owner, int level) throws IOException;

  /**
   * Tree {@code owner} no longer references the block at {@code bytenr}. The space stays pinned
   * (unusable) until the transaction that freed it commits.
   */
  void free(long bytenr, long owner, int level) throws IOException;
}
