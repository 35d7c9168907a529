package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Running out of metadata: a 256 MiB jbtrfs filesystem is filled with data to ENOSPC, then empty
 * files and large xattrs are added until metadata runs out too. Every failing call must fail
 * cleanly with ENOSPC (never EROFS or EIO, never hang); the data files still read back; deletes
 * work and make room again; after unmount btrfs check is clean and the kernel mounts it.
 */
class MetadataEnospcTest {
  private static final long IMAGE = 256L << 20;

  /**
   * One xattr of this size takes most of a 16 KiB leaf, so metadata fills in a few thousand calls.
   */
  private static final int XATTR = 12_000;

  private static final int MAX_OPS = 100_000;
  private static final int AFTER_ENOSPC_TRIES = 30;

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  /** Outcome of one call: ok, ENOSPC, or something else (a failure). */
  private enum Outcome {
    OK,
    ENOSPC
  }

  @Test
  void metadataRunsOutCleanly(@TempDir Path tmp) throws Exception {
    long t0 = System.nanoTime();
    Path img = ImageFiles.mkfs(tmp, "meta.img", IMAGE);
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    EnospcSupport.Fill data;
    List<Path> metaFiles = new ArrayList<>();
    int ok = 0;
    int xattrs = 0;
    int okAfter = 0;
    int enospcAfter = 0;
    String firstEnospc = null;
    RwFuseMount m = RwFuseMount.mount(img, mnt, "");
    try {
      data = EnospcSupport.fill(mnt.resolve("data"), 2, 3, 64 << 10, 1 << 20, 300);
      System.out.println("MetadataEnospcTest: data fill: " + data);

      Path meta = Files.createDirectories(mnt.resolve("meta"));
      SplittableRandom r = new SplittableRandom(5);
      byte[] value = new byte[XATTR];
      for (int i = 0; i < MAX_OPS && firstEnospc == null; i++) {
        Path dir = meta.resolve("d" + (i / 500));
        if (i % 500 == 0
            && call(() -> Files.createDirectory(dir), "mkdir " + dir) == Outcome.ENOSPC) {
          firstEnospc = "mkdir #" + i;
          break;
        }
        Path f = dir.resolve("f" + i);
        if (call(() -> Files.createFile(f), "create " + f) == Outcome.ENOSPC) {
          firstEnospc = "create #" + i;
          break;
        }
        metaFiles.add(f);
        ok++;
        r.nextBytes(value);
        if (call(() -> setXattr(f, "x", value), "setxattr " + f) == Outcome.ENOSPC) {
          firstEnospc = "setxattr #" + i;
          break;
        }
        xattrs++;
      }
      assertTrue(firstEnospc != null, "metadata never ran out in " + MAX_OPS + " creates");
      System.out.printf(
          "MetadataEnospcTest: %d files and %d xattrs of %d bytes before ENOSPC (first at %s)%n",
          ok, xattrs, XATTR, firstEnospc);

      // Keep pushing: each call either works or fails with ENOSPC, and the mount stays writable.
      Path last = metaFiles.get(metaFiles.size() - 1);
      for (int t = 0; t < AFTER_ENOSPC_TRIES; t++) {
        Path f = meta.resolve("late" + t);
        Path d = meta.resolve("lated" + t);
        int n = t;
        for (Outcome o :
            List.of(
                call(() -> Files.createFile(f), "create " + f),
                call(() -> setXattr(last, "late" + n, value), "setxattr " + last),
                call(() -> Files.createDirectory(d), "mkdir " + d),
                call(() -> setXattr(last, "small" + n, new byte[16]), "small setxattr " + last))) {
          if (o == Outcome.OK) okAfter++;
          else enospcAfter++;
        }
      }
      System.out.printf(
          "MetadataEnospcTest: after the first ENOSPC, %d calls worked and %d got ENOSPC%n",
          okAfter, enospcAfter);
      assertTrue(enospcAfter > 0, "metadata ENOSPC went away without anything being freed");

      EnospcSupport.verify(data.digests(), mnt, mnt, "data files on the metadata-full mount");

      // Deletes work on a filesystem full of both data and metadata.
      for (Path f : metaFiles) {
        EnospcSupport.within(
            60,
            "unlink " + f,
            () -> {
              Files.delete(f);
              return null;
            });
      }
      int i = 0;
      for (Path f : data.digests().keySet()) {
        if (i++ % 2 == 0) Files.delete(f);
      }
      // ...and then there is room again.
      Path again = mnt.resolve("again");
      EnospcSupport.within(60, "create after deletes", () -> Files.createFile(again));
      EnospcSupport.within(
          60,
          "setxattr after deletes",
          () -> {
            setXattr(again, "x", value);
            return null;
          });
    } finally {
      m.close();
    }
    BtrfsCheck.assertClean(img, "after metadata ENOSPC");
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "")) {
      int j = 0;
      for (Map.Entry<Path, byte[]> e : data.digests().entrySet()) {
        if (j++ % 2 == 0) continue;
        Path p = km.path().resolve(mnt.relativize(e.getKey()));
        assertArrayEquals(e.getValue(), EnospcSupport.digestOf(p), "kernel reads " + p + " wrong");
      }
      assertTrue(
          Files.exists(km.path().resolve("again")),
          "the kernel does not see the file made after deletes");
    }
    System.out.printf(
        "MetadataEnospcTest passed in %d s%n", (System.nanoTime() - t0) / 1_000_000_000);
  }

  private interface Call {
    Object run() throws IOException;
  }

  /**
   * Runs one call with a timeout: OK, ENOSPC, or the test fails (EROFS, EIO, anything else, a
   * hang).
   */
  private static Outcome call(Call c, String what) throws Exception {
    try {
      EnospcSupport.within(60, what, c::run);
      return Outcome.OK;
    } catch (IOException e) {
      if (EnospcSupport.isEnospc(e)) return Outcome.ENOSPC;
      if (EnospcSupport.isErofs(e)) fail(what + ": the mount turned read-only: " + e);
      fail(what + " failed with something other than ENOSPC: " + EnospcSupport.messageOf(e));
      return null;
    }
  }

  private static Void setXattr(Path f, String name, byte[] value) throws IOException {
    Files.getFileAttributeView(f, UserDefinedFileAttributeView.class)
        .write(name, ByteBuffer.wrap(value));
    return null;
  }
}
