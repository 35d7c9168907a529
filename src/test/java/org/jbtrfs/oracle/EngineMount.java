package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.FileType;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.fs.write.MountedWriter;
import org.jbtrfs.txn.WriteEngine;

/**
 * A read-write mount without FUSE: the same Filesystem, WriteEngine and MountedWriter stack the
 * daemon builds, over devices the test wraps, driven the way the FUSE request handlers drive it
 * (each write at most one FUSE request of 1 MiB, under the write lock, its queued data written
 * after the lock is let go). Lets tests see the device I/O of real buffered writes and writeback.
 */
final class EngineMount implements AutoCloseable {
  /** The largest write the kernel's FUSE client sends in one request (max_write). */
  static final int FUSE_MAX_WRITE = 1 << 20;

  private static final int CREATE_ITEMS = 5;

  final Filesystem fs;
  final MountedWriter rw;
  private final long subvol;

  private EngineMount(Filesystem fs, MountedWriter rw) throws IOException {
    this.fs = fs;
    this.rw = rw;
    this.subvol = fs.defaultSubvolumeId();
  }

  static EngineMount open(List<Path> images, UnaryOperator<Device> wrap) throws IOException {
    Filesystem fs =
        Filesystem.open(images, MountOptions.readOnlyDefaults().withReadOnly(false), wrap);
    try {
      return new EngineMount(fs, new MountedWriter(WriteEngine.open(fs), CompressionType.NONE, 0));
    } catch (IOException | RuntimeException e) {
      fs.close();
      throw e;
    }
  }

  /** Creates /name (0644) and returns its node. */
  Node create(String name) throws IOException {
    rw.lock().beginChange();
    try (var r = rw.reserveChange(CREATE_ITEMS, false)) {
      long root = fs.subvolume(subvol).rootDirIno();
      long ino =
          rw.ops(subvol)
              .create(
                  root, name.getBytes(StandardCharsets.UTF_8), FileType.S_IFREG | 0644, 0, 0, 0);
      return new Node(fs.subvolume(subvol), ino);
    } finally {
      rw.lock().endChange();
    }
  }

  /** Buffered write of {@code len} bytes at {@code off}, split into FUSE-sized requests. */
  void write(Node n, long off, MountedWriter.Source src, long len) throws IOException {
    for (long done = 0; done < len; ) {
      int piece = (int) Math.min(FUSE_MAX_WRITE, len - done);
      long at = done;
      rw.lock().beginChange();
      try (var r = rw.reserveChange(0, false)) {
        rw.write(n, off + at, (s, dst, dstOff, l) -> src.copyTo(at + s, dst, dstOff, l), piece);
      } finally {
        rw.lock().endChange();
      }
      rw.engine().writeQueuedData();
      done += piece;
    }
  }

  void write(Node n, long off, byte[] data) throws IOException {
    write(
        n,
        off,
        (s, dst, dstOff, l) -> System.arraycopy(data, (int) s, dst, dstOff, l),
        data.length);
  }

  /** fsync/syncfs: writes back everything and commits the transaction. */
  void commit() throws IOException {
    rw.commitLocked();
  }

  /** Unmount: the last commit, then the devices are let go. */
  @Override
  public void close() throws IOException {
    try {
      rw.close();
    } finally {
      fs.close();
    }
  }
}
