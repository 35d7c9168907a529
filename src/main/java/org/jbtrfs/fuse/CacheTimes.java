package org.jbtrfs.fuse;

/**
 * How long the kernel may trust a name (entry) and an inode's attributes before asking again. The
 * kernel keeps both exact by itself for every change made through the mount, since each node id is
 * one inode; what it cannot see are access times set by reads, which the session reports with an
 * invalidation instead.
 */
record CacheTimes(double entry, double attr) {
  long entrySeconds() {
    return (long) entry;
  }

  int entryNanos() {
    return (int) ((entry - (long) entry) * 1e9);
  }

  long attrSeconds() {
    return (long) attr;
  }

  int attrNanos() {
    return (int) ((attr - (long) attr) * 1e9);
  }
}
