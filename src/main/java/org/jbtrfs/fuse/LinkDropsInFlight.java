package org.jbtrfs.fuse;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.jbtrfs.fs.Node;

/**
 * Link counts to report for a non-directory around an UNLINK or an overwriting RENAME of it.
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
 * before the change completed) gets the count from before the change, whenever it reads the inode.
 * A request read after the reply may still have been sent before the completion (the unlinking
 * thread may not have run yet), and its reply must then land after it: it waits until the unlinking
 * thread is seen sending another request (it is past its syscall), or at most {@link
 * #SETTLE_NANOS}, and then gets the true count. The session numbers requests in the order they are
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

  /** How long after an unlink's reply the kernel is taken to have completed it, at most. */
  static final long SETTLE_NANOS = 10_000_000;

  /**
   * The count before the change and the thread that asked for it; how many changes of the inode are
   * still unanswered; once none is, the number of the first request read after the last reply, and
   * when that reply was written (0 once the kernel is known to have completed it).
   */
  private record Drop(long before, int pid, int unanswered, long repliedAt, long repliedNanos) {
    boolean settled(long now) {
      return unanswered == 0 && (repliedNanos == 0 || now - repliedNanos >= SETTLE_NANOS);
    }
  }

  private final Map<Node, Drop> drops = new ConcurrentHashMap<>();

  /** A change asked for by thread {@code pid}, which may drop one link of {@code n}, started. */
  void started(Node n, long nlink, int pid, RequestOrder order) {
    long oldest = order.oldestInFlight();
    long now = System.nanoTime();
    drops.values().removeIf(d -> d.settled(now) && d.repliedAt <= oldest);
    // The kernel holds the inode's lock for each such change, so they do not overlap; should
    // they, the count before the first is the one to report. A request read before an earlier,
    // answered change is still running only if the kernel has since completed that change (it
    // did before this one could start), so its reply is dropped as stale whatever it says.
    drops.compute(
        n,
        (k, d) ->
            d != null && d.unanswered > 0
                ? new Drop(d.before, pid, d.unanswered + 1, Long.MAX_VALUE, 0)
                : new Drop(nlink, pid, 1, Long.MAX_VALUE, 0));
  }

  /** The change's reply is about to be written. */
  void replying(Node n, RequestOrder order) {
    long next = order.nextRequest();
    long now = System.nanoTime();
    drops.computeIfPresent(
        n,
        (k, d) ->
            d.unanswered > 1
                ? new Drop(d.before, d.pid, d.unanswered - 1, Long.MAX_VALUE, 0)
                : new Drop(d.before, d.pid, 0, next, now == 0 ? 1 : now));
  }

  /**
   * A request from thread {@code pid} was read: a thread whose unlink was answered sends again only
   * once the kernel has completed that unlink.
   */
  void requestFrom(int pid) {
    if (drops.isEmpty()) return;
    drops.replaceAll(
        (k, d) ->
            d.pid == pid && d.unanswered == 0 && d.repliedNanos != 0
                ? new Drop(d.before, d.pid, 0, d.repliedAt, 0)
                : d);
  }

  /**
   * The link count an attribute reply for {@code n}, to the request numbered {@code request},
   * carries when its inode says {@code nlink}; waits (see above) while the kernel may not have
   * completed an answered change.
   */
  long reported(Node n, long nlink, long request) {
    while (true) {
      Drop d = drops.get(n);
      if (d == null) return nlink;
      if (d.unanswered > 0 || request < d.repliedAt) return d.before;
      long now = System.nanoTime();
      if (d.settled(now)) return nlink;
      LockSupport.parkNanos(Math.min(50_000, SETTLE_NANOS - (now - d.repliedNanos)));
    }
  }
}
