package org.jbtrfs.space;

/**
 * The flusher's states, in the order it tries them: the cheap ones that only move bookkeeping come
 * first, writing back buffered data next, then a new chunk, and a commit (which returns pinned
 * space) last. A reservation fails with ENOSPC only once the commit freed nothing.
 */
public enum FlushState {
  /** Store deferred inode updates (the kernel's delayed items). */
  FLUSH_DELAYED_ITEMS(FlushMode.FLUSH_LIMIT),
  /** Run queued extent reference changes, releasing what extents dropped in this transaction. */
  RUN_DELAYED_REFS(FlushMode.FLUSH_LIMIT),
  /** Write back part of the buffered data, which releases its metadata reservation. */
  FLUSH_DELALLOC(FlushMode.FLUSH_ALL),
  /** Write back all buffered data. */
  FLUSH_DELALLOC_FULL(FlushMode.FLUSH_ALL),
  /** Add a chunk for the space type if its chunks are mostly used and the devices have room. */
  ALLOC_CHUNK(FlushMode.FLUSH_LIMIT),
  /**
   * Add a chunk however full the type's chunks are: near full, a chunk beats commit after commit.
   */
  ALLOC_CHUNK_FORCE(FlushMode.FLUSH_LIMIT),
  /** Commit the transaction: space freed in it stops being pinned. */
  COMMIT_TRANS(FlushMode.FLUSH_ALL);

  private final FlushMode needs;

  FlushState(FlushMode needs) {
    this.needs = needs;
  }

  /**
   * Whether a caller flushing at {@code mode} may run this state. FLUSH_LIMIT callers may hold
   * buffered pages or be inside writeback, and a commit writes back buffered data, so they get
   * neither writeback nor commit.
   */
  public boolean allowedBy(FlushMode mode) {
    return mode.compareTo(needs) >= 0;
  }
}
