package org.jbtrfs.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.write.Entries;
import org.jbtrfs.fs.write.FsOps;
import org.jbtrfs.fs.write.logreplay.LogReplay;
import org.jbtrfs.txn.WriteEngine;

/**
 * An unmounted image opened for change by one CLI command: the default subvolume, path lookup
 * within it, and a commit at the end (nothing reaches the superblock if the command fails).
 */
final class WritableImage implements AutoCloseable {
  private final DeviceClaims claims;
  private final Filesystem fs;
  private final WriteEngine engine;
  private final FsOps ops;
  private final long rootDir;

  private WritableImage(
      DeviceClaims claims, Filesystem fs, WriteEngine engine, FsOps ops, long rootDir) {
    this.claims = claims;
    this.fs = fs;
    this.engine = engine;
    this.ops = ops;
    this.rootDir = rootDir;
  }

  static WritableImage open(Path image, List<Path> devices) throws IOException {
    return open(image, devices, false);
  }

  /** As {@link #open(Path, List)}, allowing devices to be missing (the kernel's rules apply). */
  static WritableImage openDegraded(Path image, List<Path> devices) throws IOException {
    return open(image, devices, true);
  }

  private static WritableImage open(Path image, List<Path> devices, boolean degraded)
      throws IOException {
    List<Path> all = new ArrayList<>();
    all.add(image);
    all.addAll(devices);
    // Busy (a mount has it): refused with the holder's name, before anything is read or written.
    DeviceClaims claims = DeviceClaims.claim(all, false);
    Filesystem fs = null;
    try {
      fs =
          Filesystem.open(
              all, MountOptions.readOnlyDefaults().withReadOnly(false).withDegraded(degraded));
      WriteEngine engine = LogReplay.openEngine(fs);
      long subvol = fs.defaultSubvolumeId();
      return new WritableImage(
          claims, fs, engine, new FsOps(engine, subvol), fs.subvolume(subvol).rootDirIno());
    } catch (IOException | RuntimeException e) {
      if (fs != null) fs.close();
      claims.close();
      throw e;
    }
  }

  /**
   * The node at {@code path} as last committed, crossing into subvolumes (the commands that make
   * subvolumes run first in their transaction), or null if it does not exist.
   */
  Node node(String path) throws IOException {
    long subvol = fs.defaultSubvolumeId();
    return new PathResolver(fs, new Node(fs.subvolume(subvol), rootDir)).resolve(path);
  }

  /** The opened filesystem, for commands that read it beside their changes (scrub). */
  Filesystem fs() {
    return fs;
  }

  FsOps ops() {
    return ops;
  }

  WriteEngine engine() {
    return engine;
  }

  /** Parent directory inode and last name of {@code path}. */
  record Parent(long dir, byte[] name) {}

  Parent parentOf(String path) throws IOException {
    List<byte[]> parts = split(path);
    if (parts.isEmpty()) throw new IOException("the root directory has no parent");
    long dir = rootDir;
    for (int i = 0; i < parts.size() - 1; i++) dir = step(dir, parts.get(i), path);
    return new Parent(dir, parts.get(parts.size() - 1));
  }

  long resolve(String path) throws IOException {
    long ino = rootDir;
    for (byte[] p : split(path)) ino = step(ino, p, path);
    return ino;
  }

  private long step(long dir, byte[] name, String path) throws IOException {
    Entries.Entry e = ops.entries().lookup(dir, name);
    if (e == null) throw new FileNotFoundException(path + ": no such file or directory");
    return e.ino();
  }

  private static List<byte[]> split(String path) {
    List<byte[]> out = new ArrayList<>();
    for (String s : path.split("/"))
      if (!s.isEmpty() && !s.equals(".")) out.add(s.getBytes(StandardCharsets.UTF_8));
    return out;
  }

  void commit() throws IOException {
    engine.commit();
  }

  /** Each change in a commit of its own: how balance, device remove and shrink step offline. */
  org.jbtrfs.relocation.Balance.Transactions transactions() {
    return new org.jbtrfs.relocation.Balance.Transactions() {
      @Override
      public <T> T committed(org.jbtrfs.relocation.Balance.Change<T> change) throws IOException {
        T result = change.apply(engine);
        engine.commit();
        return result;
      }
    };
  }

  @Override
  public void close() throws IOException {
    try {
      fs.close();
    } finally {
      claims.close();
    }
  }
}
