package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jbtrfs.device.Device;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.fs.write.MountedWriter;
import org.jbtrfs.txn.WriteEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit that waits for the disk must not stall readers (issue: metadata work and commits must
 * not serialize every read behind one lock), yet no change may slip in before it has switched to
 * the next transaction. The device's flush is held on a gate while the test reads a file through
 * the mount's engine and tries to take the write lock.
 */
class CommitLetsReadersInTest {
  @TempDir Path tmp;

  @Test
  void readsRunWhileACommitFlushesAndChangesWait() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "gate.img", 256L << 20);
    byte[] content = "read me while the commit waits".getBytes(StandardCharsets.UTF_8);
    GatedFlush gate = new GatedFlush();
    long ino;
    try (Filesystem fs =
        Filesystem.open(
            List.of(img),
            MountOptions.readOnlyDefaults().withReadOnly(false),
            d -> new GatedDevice(d, gate))) {
      MountedWriter rw = new MountedWriter(WriteEngine.open(fs), CompressionType.NONE, 0);
      long subvol = fs.defaultSubvolumeId();
      long root = fs.subvolume(subvol).rootDirIno();
      rw.lock().beginChange();
      try {
        ino = rw.ops(subvol).create(root, "f".getBytes(), 0100644, 0, 0, 0);
        rw.write(new Node(fs.subvolume(subvol), ino), 0, content, content.length);
      } finally {
        rw.lock().endChange();
      }

      gate.closed.set(true);
      Thread committer =
          new Thread(
              () -> {
                try {
                  rw.commitLocked();
                } catch (IOException e) {
                  throw new IllegalStateException(e);
                }
              });
      committer.start();
      assertThat(gate.entered.await(60, TimeUnit.SECONDS)).as("commit reached a flush").isTrue();

      // The commit now waits for the disk. A reader gets in and sees the new file's data ...
      assertThat(rw.lock().tryBeginRead(10, TimeUnit.SECONDS)).as("read lock").isTrue();
      try {
        Node n = new Node(fs.subvolume(subvol), ino);
        byte[] got = new byte[content.length];
        assertThat(FileReader.read(n, rw.inode(n), 0, got, 0, got.length))
            .isEqualTo(content.length);
        assertThat(got).isEqualTo(content);
      } finally {
        rw.lock().endRead();
      }
      // ... but a change does not.
      assertThat(rw.lock().tryBeginChange(300, TimeUnit.MILLISECONDS))
          .as("a change during the commit's I/O")
          .isFalse();

      gate.release.countDown();
      committer.join(60_000);
      assertThat(committer.isAlive()).isFalse();
      rw.engine().checkNotAborted();
    }
    BtrfsCheck.assertClean(img);
    try (Filesystem fs = Filesystem.open(List.of(img), MountOptions.readOnlyDefaults())) {
      long subvol = fs.defaultSubvolumeId();
      Node n = new Node(fs.subvolume(subvol), ino);
      byte[] got = new byte[content.length];
      FileReader.read(n, n.inode(), 0, got, 0, got.length);
      assertThat(got).isEqualTo(content);
    }
  }

  /** Holds the first flush after it is closed until released. */
  private static final class GatedFlush {
    final AtomicBoolean closed = new AtomicBoolean();
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    void pass() throws IOException {
      if (!closed.getAndSet(false)) return;
      entered.countDown();
      try {
        if (!release.await(120, TimeUnit.SECONDS)) throw new IOException("gate never released");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }
  }

  private static final class GatedDevice extends ForwardingDevice {
    private final GatedFlush gate;

    GatedDevice(Device inner, GatedFlush gate) {
      super(inner);
      this.gate = gate;
    }

    @Override
    public void flush() throws IOException {
      gate.pass();
      inner.flush();
    }
  }
}
