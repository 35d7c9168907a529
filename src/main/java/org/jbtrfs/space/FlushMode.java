package org.jbtrfs.space;

/**
 * How much work a caller lets a reservation do when space is short, as the kernel's
 * btrfs_reserve_flush_enum: nothing (inside a running change, where flushing would recurse), the
 * states that cannot wait on data writeback (where writing back delalloc could deadlock), or
 * everything up to a transaction commit.
 */
public enum FlushMode {
  NO_FLUSH,
  FLUSH_LIMIT,
  FLUSH_ALL
}
