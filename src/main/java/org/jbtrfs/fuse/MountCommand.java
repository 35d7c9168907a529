package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.SubvolumeSelector;
import org.jbtrfs.fs.write.MountedWriter;
import org.jbtrfs.fs.write.logreplay.LogReplay;
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
    List<Path> devices = new ArrayList<>();
    for (String a : args.subList(0, args.size() - 1)) devices.add(Path.of(a));
    Path mountPoint = Path.of(args.get(args.size() - 1));
    if (!Files.isDirectory(mountPoint)) {
      System.err.println("jbtrfs: mountpoint " + mountPoint + " is not a directory");
      return 2;
    }
    Filesystem fs;
    Node root;
    MountedWriter rw = null;
    try {
      fs = Filesystem.open(devices, opts.fs());
      root = SubvolumeSelector.select(fs, opts.fs());
      if (!opts.fs().readOnly()) rw = openWritable(fs, root, opts);
    } catch (IOException e) {
      System.err.println("jbtrfs: cannot mount: " + e.getMessage());
      return 1;
    }
    BtrfsFuse fuse = new BtrfsFuse(fs, root, rw);
    String options = opts.kernelOptions(devices.get(0).toString());
    LOG.info("mounting " + devices + " on " + mountPoint + " with " + options);
    KernelMount mount;
    try {
      mount = KernelMount.mount(mountPoint.toString(), options);
    } catch (IOException e) {
      System.err.println("jbtrfs: cannot mount: " + e.getMessage());
      fs.close();
      return 1;
    }
    FuseSession session =
        new FuseSession(mount, fuse, opts.threads(), opts.pollMicros(), opts.debug());
    fuse.attach(session);
    if (rw != null) startCommitter(rw, opts.commitSeconds());
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
    Thread announcer = new Thread(() -> announceWhenLive(session, mountPoint));
    announcer.setDaemon(true);
    announcer.start();
    try {
      session.serve();
      fuse.destroy();
    } finally {
      mount.requestUnmount();
      mount.close();
      fs.close();
      done.countDown();
    }
    return 0;
  }

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
    rw.cleanOrphans(root.subvolume().id());
    rw.commitLocked();
    return rw;
  }

  /** Commits every few seconds, so at most that much unsynced work is lost in a crash. */
  private static void startCommitter(MountedWriter rw, int seconds) {
    Thread t =
        new Thread(
            () -> {
              while (true) {
                try {
                  Thread.sleep(seconds * 1000L);
                  rw.commitLocked();
                } catch (InterruptedException e) {
                  return;
                } catch (Throwable e) {
                  LOG.severe("periodic commit failed: " + e);
                }
              }
            },
            "jbtrfs-committer");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Once the kernel's INIT is answered: raises readahead, and writes the ready file so the wrapper
   * can return.
   */
  private void announceWhenLive(FuseSession session, Path mountPoint) {
    try {
      session.awaitInitialized();
      ReadAhead.raise(mountPoint);
      if (readyFile != null) Files.writeString(readyFile, "ok\n");
    } catch (IOException | InterruptedException e) {
      LOG.warning("could not announce the mount: " + e);
    }
  }
}
