package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import org.jbtrfs.device.DeviceBusyException;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.DeviceOptionMembers;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.SubvolumeSelector;
import org.jbtrfs.fs.write.MountedWriter;
import org.jbtrfs.fs.write.logreplay.LogReplay;
import org.jbtrfs.os.FileIdentity;
import org.jbtrfs.os.Libc;
import org.jbtrfs.os.LoopDevice;
import org.jbtrfs.txn.WriteEngine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `mount [-f] [-o OPTIONS] DEVICE... MOUNTPOINT`: serves the filesystem until unmounted. */
@Command(name = "mount", description = "Mount a btrfs filesystem through FUSE.")
public final class MountCommand implements Callable<Integer> {
  private static final Logger LOG = Logger.getLogger(MountCommand.class.getName());

  @Option(names = "-o", description = "Comma-separated mount options.")
  List<String> optionGroups = new ArrayList<>();

  @Option(
      names = "-f",
      description = "Stay in the foreground (the daemon always does; kept for the wrapper).")
  boolean foreground;

  @Option(names = "--ready-file", description = "Written once the mount is live.", hidden = true)
  Path readyFile;

  @Parameters(arity = "2..*", description = "Devices or image files, then the mountpoint.")
  List<String> args;

  @Override
  public Integer call() throws Exception {
    ParsedMountOptions opts;
    try {
      opts = ParsedMountOptions.parse(optionGroups);
    } catch (IllegalArgumentException e) {
      System.err.println("jbtrfs: " + e.getMessage());
      return 2;
    }
    List<Path> given = new ArrayList<>();
    for (String a : args.subList(0, args.size() - 1)) given.add(Path.of(a));
    List<Path> devices;
    try {
      devices = DeviceOptionMembers.withNamed(given, opts.extraDevices());
    } catch (IOException e) {
      System.err.println("jbtrfs: cannot mount: " + e.getMessage());
      return 1;
    }
    Path mountPoint = Path.of(args.get(args.size() - 1));
    if (!Files.isDirectory(mountPoint)) {
      System.err.println("jbtrfs: mountpoint " + mountPoint + " is not a directory");
      return 2;
    }
    DeviceClaims claims;
    try {
      claims = DeviceClaims.claim(devices, opts.fs().readOnly());
    } catch (DeviceBusyException busy) {
      return shareOrRefuse(busy, opts, mountPoint);
    } catch (IOException e) {
      System.err.println("jbtrfs: cannot mount: " + e.getMessage());
      return 1;
    }
    Filesystem fs = null;
    Node root;
    MountedWriter rw = null;
    try {
      fs = Filesystem.open(devices, opts.fs());
      root = SubvolumeSelector.select(fs, opts.fs());
      if (!opts.fs().readOnly()) rw = openWritable(fs, root, opts);
    } catch (IOException e) {
      if (fs != null) fs.close();
      claims.close();
      System.err.println("jbtrfs: cannot mount: " + e.getMessage());
      return 1;
    }
    MountResources held = new MountResources(claims, fs, rw);
    BtrfsFuse fuse = new BtrfsFuse(fs, root, rw, opts.acl());
    KernelMount mount;
    try {
      mount = mountKernel(devices, mountPoint, opts, claims);
    } catch (IOException e) {
      System.err.println("jbtrfs: cannot mount: " + e.getMessage());
      held.release();
      return 1;
    }
    FuseSession session =
        new FuseSession(mount, fuse, opts.threads(), opts.pollMicros(), opts.debug());
    fuse.attach(session, held::release);
    held.stopFirst(fuse.balance());
    held.stopFirst(fuse.scrub());
    held.stopFirst(fuse.replace());
    held.releaseLast(fuse::releaseReplaceTargets);
    if (rw != null) {
      held.stopFirst(startCommitter(rw, opts.commitSeconds()));
      held.stopFirst(ForeignUseWatcher.start(claims, rw.engine()));
      held.stopFirst(rw.startCleaner());
      fuse.resumeBalance(opts.skipBalance());
    }
    CountDownLatch done = new CountDownLatch(1);
    // SIGTERM and SIGINT unmount; the JVM may only exit once the final commit is on disk.
    Thread hook =
        new Thread(
            () -> {
              mount.requestUnmount();
              try {
                done.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
    MountRegistry.Entry entry =
        new MountRegistry.Entry(
            ProcessHandle.current().pid(),
            mountPoint.toAbsolutePath(),
            opts.fs().readOnly(),
            opts.fs().subvol(),
            root.subvolume().id());
    Thread announcer = new Thread(() -> announceWhenLive(session, fuse, mountPoint, held, entry));
    announcer.setDaemon(true);
    announcer.start();
    try {
      session.serve();
    } finally {
      mount.requestUnmount();
      // Without DESTROY (a plain FUSE mount, or a connection aborted) the final work happens here.
      held.release();
      mount.close();
      done.countDown();
    }
    return 0;
  }

  /**
   * Mounts in the kernel. As root, a block-device mount whose unmount waits for the final commit:
   * of the device itself, or of a loop device of our own over an image file (the daemon still does
   * its I/O on the file; the loop device only makes the mount a block-device one and goes away with
   * it). Otherwise, or when that is impossible here, a plain FUSE mount through libfuse.
   */
  private static KernelMount mountKernel(
      List<Path> devices, Path mountPoint, ParsedMountOptions opts, DeviceClaims claims)
      throws IOException {
    String mp = mountPoint.toString();
    if (Libc.load().geteuid() == 0) {
      try {
        if (claims.identities().get(0).blockDevice()) {
          claims.handOverExclusive(0);
          return KernelMount.mountBlock(
              mp, devices.get(0).toString(), opts.blockMountData(), opts.mountFlags());
        }
        try (LoopDevice loop = LoopDevice.attach(devices.get(0), opts.fs().readOnly())) {
          claims.addOwn(FileIdentity.of(loop.path()));
          LOG.info(devices.get(0) + " is shown to the kernel as " + loop.path());
          return KernelMount.mountBlock(
              mp, loop.path().toString(), opts.blockMountData(), opts.mountFlags());
        }
      } catch (IOException e) {
        LOG.warning(
            "no block-device mount ("
                + e.getMessage()
                + "); a plain FUSE mount's umount returns before the final commit");
      }
    }
    String options = opts.kernelOptions(devices.get(0).toString());
    LOG.info("mounting " + devices + " on " + mountPoint + " with " + options);
    return KernelMount.mount(mp, options);
  }

  /**
   * A device another jbtrfs daemon serves: shows its filesystem here too (a bind mount) when that
   * gives what was asked; otherwise, and for a device the kernel holds, says who has it and exits
   * with mount(8)'s status for a busy device.
   */
  private int shareOrRefuse(DeviceBusyException busy, ParsedMountOptions opts, Path mountPoint)
      throws IOException, InterruptedException {
    try {
      Path source = SharedMount.bind(busy, opts.fs(), opts.mountFlags(), mountPoint);
      System.err.println(
          "jbtrfs: "
              + busy.path()
              + " is already served by jbtrfs; "
              + mountPoint
              + " now shows it too (a bind mount of "
              + source
              + ")");
      if (readyFile != null) Files.writeString(readyFile, "shared " + source + "\n");
      return 0;
    } catch (DeviceBusyException e) {
      System.err.println("jbtrfs: cannot mount: " + e.getMessage());
      return BUSY;
    }
  }

  /** mount(8)'s exit status for a mount failure such as a busy device. */
  static final int BUSY = 32;

  /**
   * Opens the write engine (replaying an fsync log left by a crash), clears orphans left by a
   * crash, and commits that cleanup.
   */
  private static MountedWriter openWritable(Filesystem fs, Node root, ParsedMountOptions opts)
      throws IOException {
    WriteEngine engine;
    try {
      engine = LogReplay.openEngine(fs);
    } catch (UnsupportedFeatureException e) {
      // With an unreplayed log, a plain read-only mount is refused too: it must ignore the log.
      String ro = fs.superblock().logRootBytenr() != 0 ? "-o ro,nologreplay" : "-o ro";
      throw new IOException(
          "cannot mount read-write: " + e.getMessage() + " (mount with " + ro + " to read it)");
    }
    MountedWriter rw =
        new MountedWriter(
            engine, opts.compression(), opts.compressLevel(), opts.atime(), opts.directoryAtime());
    rw.setPosixAcls(opts.acl());
    rw.cleanOrphans(root.subvolume().id());
    rw.commitLocked();
    return rw;
  }

  /**
   * Commits every few seconds, so at most that much unsynced work is lost in a crash; closing the
   * result stops it.
   */
  private static AutoCloseable startCommitter(MountedWriter rw, int seconds) {
    // Stopped by a latch, not an interrupt: an interrupt during a commit's I/O would close the
    // devices' channels under it.
    CountDownLatch stop = new CountDownLatch(1);
    Thread t =
        new Thread(
            () -> {
              try {
                while (!stop.await(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
                  try {
                    rw.commitLocked();
                  } catch (Throwable e) {
                    LOG.severe("periodic commit failed: " + e);
                  }
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "jbtrfs-committer");
    t.setDaemon(true);
    t.start();
    return () -> {
      stop.countDown();
      t.join();
    };
  }

  /**
   * Once the kernel's INIT is answered: raises readahead, and writes the ready file so the wrapper
   * can return.
   */
  private void announceWhenLive(
      FuseSession session,
      BtrfsFuse fuse,
      Path mountPoint,
      MountResources held,
      MountRegistry.Entry entry) {
    try {
      session.awaitInitialized();
      ReadAhead.raise(mountPoint);
      fuse.mountedAt(mountPoint);
      held.register(entry);
      if (readyFile != null) Files.writeString(readyFile, "ok\n");
    } catch (IOException | InterruptedException e) {
      LOG.warning("could not announce the mount: " + e);
    }
  }
}
