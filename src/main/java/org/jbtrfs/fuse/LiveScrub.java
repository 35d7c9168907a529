package org.jbtrfs.fuse;

import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.write.MountedWriter;
import org.jbtrfs.fuse.BackgroundRun.State;
import org.jbtrfs.scrub.ScrubPace;
import org.jbtrfs.scrub.ScrubSummary;
import org.jbtrfs.scrub.Scrubber;

/**
 * A scrub of the mounted filesystem in the background while it serves requests, as the kernel's
 * scrub runs under a mount: one step at a time (a few MiB of extents) under the mount's read lock,
 * so that nothing commits meanwhile and every extent the committed trees hold keeps its bytes while
 * it is read and repaired; between steps changes and commits go on, and the pace keeps the rate
 * under the user's limit. It can be cancelled and resumed where it stopped (while this daemon
 * runs), and an unmount cancels it first.
 */
final class LiveScrub implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LiveScrub.class.getName());

  /** Bytes of extents per step: long enough to read efficiently, short enough not to stall. */
  private static final long STEP_BYTES = 4L << 20;

  /** What `scrub status` shows. */
  record Status(
      State state,
      boolean readOnly,
      long startedMillis,
      long runMillis,
      long limit,
      long[] progress,
      ScrubSummary summary,
      String failure) {}

  private final Filesystem fs;
  private final MountedWriter rw;

  private State state = State.NONE;
  private Scrubber scrubber;
  private Thread thread;
  private boolean readOnly;
  private long limit;
  private long startedMillis;
  private long runNanosBefore;
  private long runStartNanos;
  private String failure;
  private boolean cancel;

  /** Whether a device replace runs now: a scrub waits for it to end. */
  private final java.util.function.BooleanSupplier replacing;

  LiveScrub(Filesystem fs, MountedWriter rw, java.util.function.BooleanSupplier replacing) {
    this.fs = fs;
    this.rw = rw;
    this.replacing = replacing;
  }

  synchronized boolean running() {
    return state == State.RUNNING;
  }

  /**
   * Starts a scrub (or, with {@code resume}, goes on with the one cancelled last): 0, or -errno:
   * EINPROGRESS while one runs, EROFS for a repairing scrub of a read-only mount, ENOENT when there
   * is nothing to resume.
   */
  synchronized int start(boolean readOnly, long limit, boolean resume) {
    if (state == State.RUNNING) return -Errno.EINPROGRESS;
    boolean writable = rw != null && !rw.frozen() && !rw.engine().isAborted();
    if (resume) {
      if (state != State.CANCELED) return -Errno.ENOENT;
      readOnly = this.readOnly;
    } else {
      scrubber = new Scrubber(fs, readOnly, line -> LOG.warning("scrub: " + line));
      startedMillis = System.currentTimeMillis();
      runNanosBefore = 0;
    }
    if (!readOnly && !writable) return -Errno.EROFS;
    this.readOnly = readOnly;
    this.limit = limit;
    failure = null;
    cancel = false;
    state = State.RUNNING;
    runStartNanos = System.nanoTime();
    Scrubber s = scrubber;
    thread = new Thread(() -> run(s, new ScrubPace(limit)), "scrub");
    thread.setDaemon(true);
    thread.start();
    LOG.info(
        (resume ? "scrub resumed at logical " + s.position() : "scrub started")
            + (readOnly ? " (read-only)" : "")
            + (limit > 0 ? ", limit " + limit + " bytes/s" : ""));
    return 0;
  }

  private void run(Scrubber s, ScrubPace pace) {
    String failed = null;
    boolean finished = false;
    try {
      while (!cancelled()) {
        if (!readOnly && (rw.frozen() || rw.engine().isAborted())) {
          failed = "the filesystem became read-only; a repairing scrub cannot go on";
          break;
        }
        long before = s.summary().bytesScrubbed();
        boolean more;
        // The superblocks are read with changes held off (so no commit is rewriting them), the
        // rest under the read lock (so nothing commits during a step).
        boolean supers = rw != null && s.superblocksNext();
        if (supers) rw.lock().beginChange();
        else if (rw != null) rw.lock().beginRead();
        try {
          more = s.step(STEP_BYTES);
        } finally {
          if (supers) rw.lock().endChange();
          else if (rw != null) rw.lock().endRead();
        }
        if (!more) {
          finished = true;
          break;
        }
        waitOrCancel(pace.after(s.summary().bytesScrubbed() - before));
      }
    } catch (Throwable t) {
      failed = t.toString();
      LOG.severe("scrub failed at logical " + s.position() + ": " + t);
    }
    synchronized (this) {
      runNanosBefore += System.nanoTime() - runStartNanos;
      failure = failed;
      state = failed != null ? State.FAILED : finished ? State.FINISHED : State.CANCELED;
      notifyAll();
    }
    ScrubSummary sum = s.summary();
    LOG.info(
        "scrub "
            + state.name().toLowerCase(java.util.Locale.ROOT)
            + ": "
            + sum.bytesScrubbed()
            + " bytes, "
            + sum.totalErrors()
            + " errors, "
            + sum.corrected()
            + " corrected, "
            + sum.uncorrectable()
            + " uncorrectable");
  }

  private synchronized boolean cancelled() {
    return cancel;
  }

  /** Sleeps for the pace, waking at once for a cancel (never by interrupt: that closes files). */
  private synchronized void waitOrCancel(long nanos) throws InterruptedException {
    long until = System.nanoTime() + nanos;
    while (!cancel) {
      long left = until - System.nanoTime();
      if (left <= 0) return;
      wait(Math.max(1, left / 1_000_000));
    }
  }

  /** Stops the running scrub after its current step: 0, or -ENOTCONN when none runs. */
  synchronized int cancel() {
    if (state != State.RUNNING) return -Errno.ENOTCONN;
    cancel = true;
    notifyAll();
    BackgroundRun.awaitStop(this, () -> state == State.RUNNING);
    return 0;
  }

  synchronized Status status() {
    long run = runNanosBefore + (state == State.RUNNING ? System.nanoTime() - runStartNanos : 0);
    Scrubber s = scrubber;
    return new Status(
        state,
        readOnly,
        startedMillis,
        run / 1_000_000,
        limit,
        s == null ? new long[2] : s.progress(),
        s == null ? null : s.summary(),
        failure);
  }

  /** Unmount: a running scrub is cancelled, as the kernel cancels it. */
  @Override
  public void close() {
    if (cancel() == 0) LOG.info("scrub cancelled by unmount");
  }

  /** The names of the files the scrub found damage in (for the status reply). */
  static List<String> damaged(Status s) {
    return s.summary() == null ? List.of() : s.summary().damagedPaths();
  }
}
