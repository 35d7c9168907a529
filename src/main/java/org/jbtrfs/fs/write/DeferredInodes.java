package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.Node;

/**
 * Inode changes not stored in the trees yet (the kernel's delayed inode items): size and times set
 * by buffered writes, since storing the item on every 128 KiB write would copy a leaf each time,
 * and access times set by reads, which run side by side under the read lock and can only note them.
 * The next change stores them all, and so does the flusher's first state.
 */
final class DeferredInodes {
  /** Stores one inode item in its tree. */
  interface Store {
    void put(Node n, InodeItem item) throws IOException;
  }

  private final Map<Node, InodeItem> pending = new HashMap<>();
  private final AccessTimes accessTimes;

  DeferredInodes(AtimePolicy atime, boolean directoryAtime) {
    this.accessTimes = new AccessTimes(atime, directoryAtime);
  }

  /** The inode as the mount sees it: the stored item with what has not been stored yet. */
  InodeItem inode(Node n) throws IOException {
    InodeItem p = pending.get(n);
    return accessTimes.overlay(n, p != null ? p : n.inode());
  }

  /** A write changed {@code n}'s size or times. Caller holds the write lock. */
  void put(Node n, InodeItem item) {
    pending.put(n, item);
  }

  /**
   * A read of {@code n} (whose item is {@code current}); returns whether its atime changes under
   * the mount's atime policy.
   */
  boolean accessed(Node n, InodeItem current) {
    return accessTimes.accessed(n, current, FileType.isDir(current.mode()), Timespec.now());
  }

  boolean isEmpty() {
    return pending.isEmpty() && accessTimes.isEmpty();
  }

  /** Stores everything deferred. Caller holds the write lock. */
  void store(Store store) throws IOException {
    for (Map.Entry<Node, Timespec> e : accessTimes.drain().entrySet()) {
      Node n = e.getKey();
      InodeItem i = pending.containsKey(n) ? pending.get(n) : n.inode();
      // A file deleted since it was read has no item left to update.
      if (i != null) pending.put(n, i.withTimes(e.getValue(), i.ctime(), i.mtime()));
    }
    if (pending.isEmpty()) return;
    for (Map.Entry<Node, InodeItem> e : pending.entrySet()) store.put(e.getKey(), e.getValue());
    pending.clear();
  }

  /** Drops what is deferred for a deleted inode. */
  void forget(long subvolumeId, long ino) {
    pending.keySet().removeIf(n -> n.subvolume().id() == subvolumeId && n.ino() == ino);
    accessTimes.forget(subvolumeId, ino);
  }
}
