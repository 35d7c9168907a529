package org.jbtrfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.logging.Logger;
import org.jbtrfs.os.Libc;

/**
 * Serves one FUSE mount: worker threads each read a request from /dev/fuse, hand it to the
 * filesystem's {@link Handler} and write the reply. The kernel gives each request to one reader, so
 * the workers run requests in parallel, and a slow one (an fsync's commit) holds only its own
 * thread. INIT and INTERRUPT are answered here, DESTROY after the handler's final work.
 */
final class FuseSession implements LinkDropsInFlight.RequestOrder {
  private static final Logger LOG = Logger.getLogger(FuseSession.class.getName());

  /** A handler's answer for requests that get no reply (FORGET, INTERRUPT). */
  static final int NO_REPLY = Integer.MIN_VALUE;

  /** Largest write and read per request: 256 pages. */
  static final int MAX_IO = 1 << 20;

  /** The filesystem side: answers one request into the reply; returns 0, -errno or NO_REPLY. */
  interface Handler {
    int handle(FuseRequest req, FuseReply reply) throws Exception;

    /**
     * Flags of FuseProtocol.INIT_* the filesystem wants, of those the kernel offers (flags2 in the
     * high 32 bits).
     */
    long initFlags(long offered);

    /**
     * The kernel's DESTROY: the last unmount of a block-device mount, which returns to the user
     * only once this has returned and been answered. Everything held must be on disk by then.
     */
    void destroy();
  }

  private final KernelMount mount;
  private final Handler handler;
  private final int threads;
  private final long pollNanos;
  private final boolean debug;
  private final Libc libc = Libc.load();
  private final CountDownLatch initialized = new CountDownLatch(1);
  private final ByteBuffer notifyBuf =
      ByteBuffer.allocateDirect(FuseProtocol.OUT_HEADER + 24 + 256).order(ByteOrder.LITTLE_ENDIAN);
  private final AtomicInteger busyWorkers = new AtomicInteger();
  private final AtomicLong requestsRead = new AtomicLong();

  /** Per worker, the number of the request it is answering (Long.MAX_VALUE when idle). */
  private final AtomicLongArray answering;

  private volatile boolean stopping;

  /**
   * {@code pollMicros}: how long the first worker polls for a next request after each one before it
   * blocks (0: all workers block at once); see {@link PollingChannel}.
   */
  FuseSession(KernelMount mount, Handler handler, int threads, long pollMicros, boolean debug) {
    this.mount = mount;
    this.handler = handler;
    this.threads = threads;
    this.pollNanos = pollMicros * 1000;
    this.debug = debug;
    this.answering = new AtomicLongArray(threads);
    for (int i = 0; i < threads; i++) answering.set(i, Long.MAX_VALUE);
  }

  @Override
  public long nextRequest() {
    return requestsRead.get();
  }

  @Override
  public long oldestInFlight() {
    long oldest = Long.MAX_VALUE;
    for (int i = 0; i < answering.length(); i++) oldest = Math.min(oldest, answering.get(i));
    return oldest;
  }

  /** Waits until the kernel's INIT has been answered, i.e. the mount serves requests. */
  void awaitInitialized() throws InterruptedException {
    initialized.await();
  }

  /** Serves until the mount goes away (unmount, or the connection aborted). */
  void serve() throws InterruptedException {
    List<Thread> workers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      PollingChannel polling =
          i == 0 && pollNanos > 0
              ? PollingChannel.open(libc, mount.fd(), pollNanos, busyWorkers)
              : null;
      int worker = i;
      Thread t = new Thread(() -> work(worker, polling), "fuse-" + i);
      t.setDaemon(true);
      workers.add(t);
      t.start();
    }
    for (Thread t : workers) t.join();
  }

  /** One worker: reads requests from {@code polling}, or with blocking reads when it is null. */
  private void work(int worker, PollingChannel polling) {
    try {
      serveRequests(worker, polling);
    } finally {
      if (polling != null) polling.close();
    }
  }

  private void serveRequests(int worker, PollingChannel polling) {
    FuseRequest req = new FuseRequest(MAX_IO + 2 * 4096);
    FuseReply reply = new FuseReply(MAX_IO + 4096);
    int fd = polling != null ? polling.fd() : mount.fd();
    while (!stopping) {
      ByteBuffer in = req.buffer();
      in.clear();
      long n = polling != null ? polling.read(in) : libc.read(fd, in, in.capacity());
      if (n < 0) {
        int err = Libc.errno();
        if (err == Errno.EINTR || err == Errno.EAGAIN || err == Errno.ENOENT) continue;
        if (err != Errno.ENODEV) LOG.severe("reading /dev/fuse failed: errno " + err);
        stopping = true;
        break;
      }
      if (n < FuseProtocol.IN_HEADER) continue;
      req.filled((int) n);
      long number = requestsRead.getAndIncrement();
      answering.set(worker, number);
      busyWorkers.incrementAndGet();
      try {
        answer(req, reply.begin(number), fd);
      } finally {
        busyWorkers.decrementAndGet();
        answering.set(worker, Long.MAX_VALUE);
      }
    }
  }

  /** Handles one request and writes its reply to {@code fd}, the connection it came from. */
  private void answer(FuseRequest req, FuseReply reply, int fd) {
    int op = req.opcode();
    int result;
    try {
      result =
          switch (op) {
            case FuseProtocol.INIT -> init(req, reply);
            case FuseProtocol.DESTROY -> {
              handler.destroy();
              stopping = true;
              yield 0;
            }
            case FuseProtocol.INTERRUPT -> NO_REPLY; // requests run to completion
            default -> handler.handle(req, reply);
          };
    } catch (Throwable t) {
      result = Errno.of(t, "request " + op, "node " + req.nodeid());
    }
    if (debug) {
      System.err.printf(
          "fuse: seq %d unique %d op %d node %d -> %s%n",
          reply.request(),
          req.unique(),
          op,
          req.nodeid(),
          result == NO_REPLY ? "no reply" : result);
    }
    if (result == NO_REPLY) {
      reply.sending();
      return;
    }
    ByteBuffer out = reply.finish(req.unique(), result > 0 ? 0 : result);
    reply.sending();
    long w = libc.write(fd, out, out.limit());
    int err = w < 0 ? Libc.errno() : 0;
    // ENOENT: the request was interrupted and the kernel no longer waits for it.
    if (w < 0 && err != Errno.ENOENT && !stopping) {
      LOG.warning("reply to request " + req.unique() + " failed: errno " + err);
    }
  }

  private int init(FuseRequest req, FuseReply reply) {
    int major = req.u32(0);
    int minor = req.u32(4);
    int maxReadahead = req.u32(8);
    long offered = Integer.toUnsignedLong(req.u32(12));
    // fuse_init_in's flags2 (bits 32-63) is there when flags say so (FUSE 7.36).
    if ((offered & FuseProtocol.INIT_EXT) != 0) offered |= (long) req.u32(16) << 32;
    if (major != FuseProtocol.MAJOR) {
      LOG.severe("kernel speaks FUSE " + major + "." + minor + ", jbtrfs speaks 7.x");
      return -Errno.EPROTO;
    }
    int kernelMinor = Math.min(minor, FuseProtocol.MINOR);
    reply.u32(FuseProtocol.MAJOR).u32(kernelMinor).u32(maxReadahead);
    long agreed = handler.initFlags(offered) & offered;
    // The kernel reads our flags2 only when flags carry INIT_EXT.
    if ((agreed >>> 32) != 0) agreed |= FuseProtocol.INIT_EXT;
    reply.u32((int) agreed);
    reply.u16(64).u16(48); // max_background, congestion_threshold
    reply.u32(MAX_IO); // max_write
    reply.u32(1); // time_gran: nanoseconds
    reply.u16(MAX_IO / 4096).u16(0); // max_pages, map_alignment
    reply.u32((int) (agreed >>> 32)); // flags2
    reply.zeros(FuseProtocol.INIT_OUT - 36);
    initialized.countDown();
    LOG.info("FUSE 7." + minor + " kernel, speaking 7." + kernelMinor);
    return 0;
  }

  /**
   * Tells the kernel its cached attributes of {@code nodeid} are stale (an access time the kernel
   * did not see change). Safe from inside a request: it touches no page and waits for nothing.
   */
  void invalidateAttributes(long nodeid) {
    synchronized (notifyBuf) {
      notifyBuf.clear();
      notifyBuf.putInt(FuseProtocol.OUT_HEADER + 24);
      notifyBuf.putInt(FuseProtocol.NOTIFY_INVAL_INODE);
      notifyBuf.putLong(0);
      notifyBuf.putLong(nodeid);
      notifyBuf.putLong(-1); // offset < 0: attributes only, no cached data
      notifyBuf.putLong(0);
      notifyBuf.flip();
      libc.write(mount.fd(), notifyBuf, notifyBuf.limit());
    }
  }

  /**
   * Tells the kernel that {@code name} in directory {@code parent} changed behind its back (a
   * subvolume made by an ioctl): its cached entry, negative or not, is dropped.
   */
  void invalidateEntry(long parent, byte[] name) {
    synchronized (notifyBuf) {
      notifyBuf.clear();
      notifyBuf.putInt(FuseProtocol.OUT_HEADER + 16 + name.length + 1);
      notifyBuf.putInt(FuseProtocol.NOTIFY_INVAL_ENTRY);
      notifyBuf.putLong(0);
      notifyBuf.putLong(parent);
      notifyBuf.putInt(name.length);
      notifyBuf.putInt(0); // flags
      notifyBuf.put(name).put((byte) 0);
      notifyBuf.flip();
      libc.write(mount.fd(), notifyBuf, notifyBuf.limit());
    }
  }

  static int enosys() {
    return -Errno.ENOSYS;
  }
}
