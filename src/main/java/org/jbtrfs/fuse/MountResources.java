package org.jbtrfs.fuse;

import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.write.MountedWriter;

/**
 * What a serving daemon holds, given back once and in order by whichever comes first: the kernel's
 * DESTROY (an unmount of a block-device mount, which waits for it), the end of the connection, or a
 * start that failed. The final commit comes first, the devices' claims last, so no other mount can
 * take a device before everything written is on it.
 */
final class MountResources {
  private static final Logger LOG = Logger.getLogger(MountResources.class.getName());

  private final DeviceClaims claims;
  private final Filesystem fs;
  private final MountedWriter rw;
  private final List<AutoCloseable> helpers = new java.util.ArrayList<>();
  private final List<Runnable> last = new java.util.ArrayList<>();
  private boolean registered;
  private boolean released;

  MountResources(DeviceClaims claims, Filesystem fs, MountedWriter rw) {
    this.claims = claims;
    this.fs = fs;
    this.rw = rw;
  }

  /** Something to stop before the final commit (the periodic committer, a watcher). */
  synchronized void stopFirst(AutoCloseable helper) {
    helpers.add(helper);
  }

  /** Something to do after the devices are closed (let go of a replace target's claim). */
  synchronized void releaseLast(Runnable r) {
    last.add(r);
  }

  /** Publishes the mount in the registry, withdrawn on release. */
  synchronized void register(MountRegistry.Entry entry) {
    try {
      MountRegistry.publish(claims.identities(), entry);
      registered = true;
    } catch (java.io.IOException e) {
      LOG.warning("could not record the mount in " + MountRegistry.directory() + ": " + e);
    }
  }

  /** Stops the helpers, commits what is held, and lets go of the filesystem and its devices. */
  synchronized void release() {
    if (released) return;
    released = true;
    for (AutoCloseable h : helpers) {
      try {
        h.close();
      } catch (Exception e) {
        LOG.warning("stopping " + h + ": " + e);
      }
    }
    try {
      if (rw != null) rw.close();
    } catch (Throwable e) {
      LOG.severe("final commit failed; the last committed state stays on disk: " + e);
    }
    try {
      fs.close();
    } catch (Throwable e) {
      LOG.warning("closing the devices: " + e);
    }
    if (registered) MountRegistry.withdraw(claims.identities());
    claims.close();
    for (Runnable r : last) r.run();
  }
}
