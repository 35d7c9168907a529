package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.device.DeviceBusyException;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.device.FileDevice;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.write.MountedWriter;
import org.jbtrfs.fuse.BackgroundRun.State;
import org.jbtrfs.replace.DeviceReplace;
import org.jbtrfs.replace.ReplaceFinish;

/**
 * A device replace of the mounted filesystem in the background while it serves requests (see {@link
 * DeviceReplace}): the target is claimed as a mount claims its devices (so nothing else may use it
 * while the replace runs, or after, while this mount holds it), writes go to both from the start,
 * the copy goes a piece at a time, and at the end the target takes the source's devid in a commit
 * of its own. Nothing about the replace is on disk before that commit: a crash or kill during the
 * copy leaves the filesystem as it was, with the source, and the replace not done.
 */
final class LiveReplace implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(LiveReplace.class.getName());
  private static final int PIECE = 4 << 20;

  record Status(
      State state,
      long source,
      String target,
      long done,
      long total,
      long startedMillis,
      long stoppedMillis,
      long readErrors,
      String failure) {}

  private final Filesystem fs;
  private final MountedWriter rw;
  private State state = State.NONE;
  private DeviceReplace replace;
  private String targetName = "";
  private long startedMillis;
  private long stoppedMillis;
  private String failure;
  private boolean cancel;

  /** Claims of replace targets and added devices, held until the mount lets go of everything. */
  private final List<DeviceClaims> claims = new java.util.ArrayList<>();

  /** Whether a scrub runs now: a replace waits for it to end. */
  private final java.util.function.BooleanSupplier scrubbing;

  LiveReplace(Filesystem fs, MountedWriter rw, java.util.function.BooleanSupplier scrubbing) {
    this.fs = fs;
    this.rw = rw;
    this.scrubbing = scrubbing;
  }

  synchronized boolean running() {
    return state == State.RUNNING;
  }

  /**
   * Starts replacing devid {@code source} by the device at {@code target}: 0, or -errno with the
   * reason logged: EROFS on a read-only mount, EINPROGRESS while one runs, EBUSY while a scrub runs
   * or for a target in use (by a mount, another jbtrfs process, or this filesystem), EEXIST for a
   * target holding a btrfs filesystem without {@code force}, EINVAL for a target smaller than the
   * source or an unknown devid.
   */
  synchronized int start(long source, Path target, boolean spareSource, boolean force) {
    if (rw == null || rw.frozen() || rw.engine().isAborted()) return -Errno.EROFS;
    if (state == State.RUNNING) return -Errno.EINPROGRESS;
    if (scrubbing.getAsBoolean()) {
      failure = "a scrub is running; cancel it or wait for it to finish";
      return -Errno.EBUSY;
    }
    DeviceClaims claim;
    try {
      claim = DeviceClaims.claim(List.of(target), false);
    } catch (DeviceBusyException busy) {
      failure = busy.getMessage();
      LOG.warning("replace refused: " + failure);
      return -Errno.EBUSY;
    } catch (IOException e) {
      failure = e.getMessage();
      LOG.warning("replace refused: " + failure);
      return -Errno.ENOENT;
    }
    Device dev = null;
    try {
      dev = FileDevice.open(target, true);
      if (!force && DeviceReplace.holdsBtrfs(dev)) {
        failure = target + " holds a btrfs filesystem; use -f to overwrite it";
        throw new IllegalArgumentException(failure);
      }
      DeviceReplace r = new DeviceReplace(fs, source, dev, spareSource);
      r.begin();
      replace = r;
    } catch (IOException | IllegalArgumentException e) {
      failure = e.getMessage();
      LOG.warning("replace refused: " + failure);
      closeQuietly(dev);
      claim.close();
      return e instanceof IllegalArgumentException ? -Errno.EEXIST : -Errno.EINVAL;
    }
    claims.add(claim);
    targetName = target.toString();
    startedMillis = System.currentTimeMillis();
    stoppedMillis = 0;
    failure = null;
    cancel = false;
    state = State.RUNNING;
    DeviceReplace r = replace;
    Thread t = new Thread(() -> run(r, spareSource, claim), "replace");
    t.setDaemon(true);
    t.start();
    return 0;
  }

  private void run(DeviceReplace r, boolean spareSource, DeviceClaims claim) {
    String failed = null;
    boolean finished = false;
    try {
      while (!cancelled()) {
        if (rw.frozen() || rw.engine().isAborted()) {
          failed = "the filesystem became read-only during the replace";
          break;
        }
        boolean more;
        // The committed trees it reads stay as they are while it holds the read lock.
        rw.lock().beginRead();
        try {
          more = r.step(PIECE);
        } finally {
          rw.lock().endRead();
        }
        if (!more) {
          finish(r, spareSource);
          finished = true;
          break;
        }
      }
    } catch (Throwable t) {
      failed = t.toString();
      LOG.severe("replace of devid " + r.source() + " failed: " + t);
    }
    if (!finished) {
      r.abandon();
      closeQuietly(r.target());
      synchronized (this) {
        claims.remove(claim);
      }
      claim.close();
    }
    synchronized (this) {
      stoppedMillis = System.currentTimeMillis();
      failure = failed;
      state = failed != null ? State.FAILED : finished ? State.FINISHED : State.CANCELED;
      notifyAll();
    }
    LOG.info("replace of devid " + r.source() + " " + state.name().toLowerCase());
  }

  /** The target takes the source's place in a commit of its own; then the source is retired. */
  private void finish(DeviceReplace r, boolean spareSource) throws IOException {
    Device[] old = new Device[1];
    rw.lock().beginChange();
    try {
      rw.committedAlone(
          engine -> {
            old[0] = ReplaceFinish.swapAndRecord(engine, r, spareSource, startedMillis / 1000);
            return null;
          });
    } finally {
      rw.lock().endChange();
    }
    ReplaceFinish.retire(old[0]);
  }

  private synchronized boolean cancelled() {
    return cancel;
  }

  /** Stops the running replace: 0 once it has stopped, -ENOTCONN when none runs. */
  synchronized int cancel() {
    if (state != State.RUNNING) return -Errno.ENOTCONN;
    cancel = true;
    BackgroundRun.awaitStop(this, () -> state == State.RUNNING);
    return 0;
  }

  synchronized Status status() {
    long[] p = replace == null ? new long[2] : replace.progress();
    return new Status(
        state,
        replace == null ? 0 : replace.source(),
        targetName,
        p[0],
        p[1],
        startedMillis,
        stoppedMillis,
        replace == null ? 0 : replace.readErrors(),
        failure);
  }

  /** The refusal or failure message of the last start, for the status reply. */
  synchronized String lastFailure() {
    return failure;
  }

  /** Unmount: a running replace is cancelled (the source stays the member). */
  @Override
  public void close() {
    if (cancel() == 0) LOG.info("replace cancelled by unmount");
  }

  /** Keeps the claim of a device the mount took on (an added device) until it lets go. */
  synchronized void hold(DeviceClaims claim) {
    claims.add(claim);
  }

  /** After the final commit: the claims of finished replaces' targets are let go. */
  synchronized void releaseClaims() {
    for (DeviceClaims c : claims) c.close();
    claims.clear();
  }

  private static void closeQuietly(Device d) {
    if (d == null) return;
    try {
      d.close();
    } catch (IOException ignored) {
      // nothing was written that matters: the replace did not happen
    }
  }
}
