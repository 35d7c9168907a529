package org.jbtrfs.fuse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jbtrfs.fs.Node;

/**
 * Link counts to report for a non-directory while an UNLINK or an overwriting RENAME of it is
 * answered.
 *
 * <p>When such a request completes, the kernel's FUSE drops the link count it caches for the inode
 * by one itself, instead of asking. An attribute reply (GETATTR, LOOKUP, READDIRPLUS) to a request
 * the kernel sent before that completion is either thrown away (when it lands after the drop: its
 * attribute version is older) or applied before the drop. In the second case it must carry the
 * count from before the unlink, or the drop takes one too many: a file with one name left then has
 * a cached count of 0, and link(2) of that name fails with ENOENT in the kernel's VFS, which never
 * asks us.
 *
 * <p>So every request read from /dev/fuse before the change's reply was written (the kernel sent it
 * before the change completed) gets the count from before the change, whenever it reads the inode;
 * requests read after it get the true count. The session numbers requests in the order they are
 * read.
 */
final class LinkDropsInFlight {
  /** The session's request numbering. */
  interface RequestOrder {
    /** The number the next request read will get. */
    long nextRequest();

    /** The lowest number of a request still being answered (Long.MAX_VALUE if none). */
    long oldestInFlight();
  }

  /**
   * The count before the change; how many changes of the inode are still unanswered; once none is,
   * the number of the first request read after the last reply.
   */
  private record Drop(long before, int unanswered, long repliedAt) {}

  private final Map<Node, Drop> drops = new ConcurrentHashMap<>();

  /** A change that may drop one link of {@code n} (now at {@code nlink}) has started. */
  void started(Node n, long nlink, RequestOrder order) {
    long oldest = order.oldestInFlight();
    drops.values().removeIf(d -> d.unanswered == 0 && d.repliedAt <= oldest);
    // The kernel holds the inode's lock for each such change, so they do not overlap; should
    // they, the count before the first is the one to report. A request read before an earlier,
    // answered change is still running only if the kernel has since completed that change (it
    // did before this one could start), so its reply is dropped as stale whatever it says.
    drops.compute(
        n,
        (k, d) ->
            d != null && d.unanswered > 0
                ? new Drop(d.before, d.unanswered + 1, Long.MAX_VALUE)
                : new Drop(nlink, 1, Long.MAX_VALUE));
  }

  /** The change's reply is about to be written. */
  void replying(Node n, RequestOrder order) {
    long next = order.nextRequest();
    drops.computeIfPresent(
        n,
        (k, d) ->
            d.unanswered > 1
                ? new Drop(d.before, d.unanswered - 1, Long.MAX_VALUE)
                : new Drop(d.before, 0, next));
  }

  /**
   * The link count an attribute reply for {@code n}, to the request numbered {@code request},
   * carries when its inode says {@code nlink}.
   */
  long reported(Node n, long nlink, long request) {
    Drop d = drops.get(n);
    if (d == null) return nlink;
    return d.unanswered > 0 || request < d.repliedAt ? d.before : nlink;
  }
}
