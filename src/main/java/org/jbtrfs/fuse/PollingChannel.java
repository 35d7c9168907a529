package org.jbtrfs.fuse;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.jbtrfs.os.Libc;

/**
 * A second connection to the mount's /dev/fuse (FUSE_DEV_IOC_CLONE) that one worker polls without
 * blocking for a short while after each request before it goes back to a blocking read. A process
 * doing one call after another (a shell loop creating files sends six requests per file) then finds
 * its next request taken at once instead of paying for a sleeping thread to be woken and scheduled:
 * on this project's 2-core machine 10,000 small files took 2.0-2.4 s instead of 2.9-3.3 s. The
 * price is at most {@code pollNanos} of one core after each burst of requests. Replies must go to
 * the connection a request was read from, which {@link #fd()} names.
 */
final class PollingChannel {
  private static final Logger LOG = Logger.getLogger(PollingChannel.class.getName());

  /** _IOR(229, 0, uint32_t): makes a new /dev/fuse open serve the same connection. */
  private static final long FUSE_DEV_IOC_CLONE = 0x8004e500L;

  private static final int O_RDWR = 02;
  private static final int O_NONBLOCK = 04000;
  private static final int O_CLOEXEC = 02000000;
  private static final int F_SETFL = 4;

  private final Libc libc;
  private final int fd;
  private final long pollNanos;
  private final AtomicInteger busyWorkers;
  private boolean blocking = true;
  private long lastRequest;

  private PollingChannel(Libc libc, int fd, long pollNanos, AtomicInteger busyWorkers) {
    this.libc = libc;
    this.fd = fd;
    this.pollNanos = pollNanos;
    this.busyWorkers = busyWorkers;
  }

  /**
   * A clone of {@code sessionFd}, or null (and the reason logged) when the kernel refuses one.
   * {@code busyWorkers} counts the workers answering a request: while any is, requests come from
   * several callers at once, the blocked workers take them anyway, and polling would only take a
   * core from them (a 4-thread random workload ran 12% slower when it polled regardless).
   */
  static PollingChannel open(Libc libc, int sessionFd, long pollNanos, AtomicInteger busyWorkers) {
    int clone = libc.open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (clone < 0) {
      LOG.warning("cannot open /dev/fuse again (errno " + Libc.errno() + "); not polling");
      return null;
    }
    if (libc.ioctl(clone, FUSE_DEV_IOC_CLONE, new int[] {sessionFd}) < 0) {
      LOG.warning("FUSE_DEV_IOC_CLONE failed (errno " + Libc.errno() + "); not polling");
      libc.close(clone);
      return null;
    }
    return new PollingChannel(libc, clone, pollNanos, busyWorkers);
  }

  int fd() {
    return fd;
  }

  /**
   * Reads one request like read(2) on /dev/fuse: polls while the last request is recent, blocks
   * after that. Returns what read(2) returned; errno is left for {@link Libc#errno()}.
   */
  long read(ByteBuffer in) {
    while (true) {
      long n = libc.read(fd, in, in.capacity());
      if (n >= 0) {
        if (blocking) setBlocking(false);
        lastRequest = System.nanoTime();
        return n;
      }
      if (blocking || Libc.errno() != Errno.EAGAIN) return n;
      if (busyWorkers.get() == 0 && System.nanoTime() - lastRequest < pollNanos) {
        // Lets any runnable thread of this CPU go first: polling is worth only an idle core.
        Thread.yield();
      } else {
        setBlocking(true);
      }
    }
  }

  private void setBlocking(boolean on) {
    libc.fcntl(fd, F_SETFL, on ? O_RDWR : O_RDWR | O_NONBLOCK);
    blocking = on;
  }

  void close() {
    libc.close(fd);
  }
}
