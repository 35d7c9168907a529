package org.jbtrfs.fs.write;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.Node;

/**
 * Access times touched by reads, readdir and readlink. Readers run concurrently under the mount's
 * read lock, so they only note the new time here; the next change (under the write lock) stores it
 * in the inode item, as the kernel's dirty-inode writeback would.
 */
final class AccessTimes {
  /** relatime still refreshes an atime older than this, so "recently read" tools keep working. */
  private static final long RELATIME_MAX_AGE_SECONDS = 24 * 60 * 60;

  private final AtimePolicy policy;
  private final boolean directories;
  private final Map<Node, Timespec> pending = new ConcurrentHashMap<>();

  AccessTimes(AtimePolicy policy, boolean directories) {
    this.policy = policy;
    this.directories = directories;
  }

  /**
   * Notes an access of {@code n} (whose current item is {@code inode}) at {@code now}; returns
   * whether its atime changes.
   */
  boolean accessed(Node n, InodeItem inode, boolean isDir, Timespec now) {
    if (isDir && !directories) return false;
    // chattr +A: the VFS leaves such an inode's atime alone whatever the mount says.
    if ((inode.flags() & InodeItem.FLAG_NOATIME) != 0) return false;
    if (!due(inode, now)) return false;
    pending.put(n, now);
    return true;
  }

  private boolean due(InodeItem i, Timespec now) {
    if (i.atime().equals(now)) return false;
    return switch (policy) {
      case NOATIME -> false;
      case STRICTATIME -> true;
      case RELATIME ->
          compare(i.atime(), i.mtime()) <= 0
              || compare(i.atime(), i.ctime()) <= 0
              || now.sec() - i.atime().sec() >= RELATIME_MAX_AGE_SECONDS;
    };
  }

  private static int compare(Timespec a, Timespec b) {
    int c = Long.compare(a.sec(), b.sec());
    return c != 0 ? c : Integer.compare(a.nsec(), b.nsec());
  }

  /** The inode as readers should see it: with an access time not stored yet. */
  InodeItem overlay(Node n, InodeItem inode) {
    Timespec t = inode == null ? null : pending.get(n);
    return t == null ? inode : inode.withTimes(t, inode.ctime(), inode.mtime());
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /** Takes every noted access; the caller stores them. */
  Map<Node, Timespec> drain() {
    Map<Node, Timespec> out = new java.util.HashMap<>();
    for (Node n : pending.keySet()) {
      Timespec t = pending.remove(n);
      if (t != null) out.put(n, t);
    }
    return out;
  }

  void forget(long subvolumeId, long ino) {
    pending.keySet().removeIf(n -> n.subvolume().id() == subvolumeId && n.ino() == ino);
  }
}
