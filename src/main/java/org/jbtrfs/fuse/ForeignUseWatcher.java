package org.jbtrfs.fuse;

import java.util.logging.Logger;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.os.Libc;
import org.jbtrfs.txn.WriteEngine;

/**
 * Watches the mount table while a filesystem is mounted read-write. Nothing stops a user from
 * attaching a second loop device to an image jbtrfs serves and mounting it with the kernel's btrfs;
 * when that happens there must not be two writers, so jbtrfs stops writing at once (the last commit
 * stays what is on disk, and changes are refused as on a filesystem forced read-only).
 */
final class ForeignUseWatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ForeignUseWatcher.class.getName());
  private static final int POLLPRI = 2;
  private static final int POLLERR = 8;

  private final DeviceClaims claims;
  private final WriteEngine engine;
  private final Thread thread;
  private volatile boolean stopped;

  private ForeignUseWatcher(DeviceClaims claims, WriteEngine engine) {
    this.claims = claims;
    this.engine = engine;
    this.thread = new Thread(this::watch, "jbtrfs-mount-watcher");
    thread.setDaemon(true);
  }

  static ForeignUseWatcher start(DeviceClaims claims, WriteEngine engine) {
    ForeignUseWatcher w = new ForeignUseWatcher(claims, engine);
    w.thread.start();
    return w;
  }

  private void watch() {
    Libc libc = Libc.load();
    int fd = libc.open("/proc/self/mountinfo", Libc.O_RDONLY | Libc.O_CLOEXEC);
    if (fd < 0) {
      LOG.warning("cannot watch the mount table: " + Libc.describe(Libc.errno()));
      return;
    }
    try {
      while (!stopped) {
        // The mount table reports a change as POLLPRI|POLLERR; the timeout re-checks stopped.
        int[] pfd = {fd, POLLPRI};
        int n = libc.poll(pfd, 1, 1000);
        if (n <= 0 || stopped || ((pfd[1] >>> 16) & (POLLPRI | POLLERR)) == 0) continue;
        String use = claims.foreignUse();
        if (use != null) {
          engine.abort(new java.io.IOException(use + "; jbtrfs stopped writing"));
          return;
        }
      }
    } catch (java.io.IOException e) {
      LOG.warning("watching the mount table: " + e);
    } finally {
      libc.close(fd);
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    thread.join(2000);
  }
}
