package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel keeps a read-write jbtrfs mount's file pages cached from one open to the next
 * (FOPEN_KEEP_CACHE), so every way the mount changes a file must leave no stale page: a file is
 * read (cached), changed through the mount by a write through another descriptor, truncate, punch
 * hole, zero range, fallocate past the end, O_DIRECT write, mmap write, copy_file_range into it and
 * a rename over it, and each time read again it shows exactly the bytes a model says; after
 * drop_caches too; and after unmount a kernel mount reads the same.
 */
class CacheCoherenceTest {
  private static final int KiB = 1 << 10;

  @TempDir Path tmp;

  @Test
  void everyChangeThroughTheMountIsSeenByCachedReads() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "img", 1L << 30);
    byte[] model = new byte[1024 * KiB];
    new Random(1).nextBytes(model);
    try (FuseMount m = FuseMount.mountReadWrite(List.of(img), tmp.resolve("mnt"), "")) {
      Path f = m.path().resolve("f");
      Files.write(f, model);
      readBack(f, model, "after the first write");

      byte[] patch = new byte[4 * KiB];
      new Random(2).nextBytes(patch);
      try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
        raf.seek(100 * KiB + 123);
        raf.write(patch);
      }
      System.arraycopy(patch, 0, model, 100 * KiB + 123, patch.length);
      readBack(f, model, "after a write through another descriptor");

      try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
        raf.setLength(600 * KiB + 5);
      }
      model = Arrays.copyOf(model, 600 * KiB + 5);
      readBack(f, model, "after truncate");

      run("fallocate", "-p", "-o", String.valueOf(200 * KiB), "-l", String.valueOf(100 * KiB), f);
      Arrays.fill(model, 200 * KiB, 300 * KiB, (byte) 0);
      readBack(f, model, "after punching a hole");

      run("fallocate", "-z", "-o", String.valueOf(40 * KiB), "-l", String.valueOf(8 * KiB), f);
      Arrays.fill(model, 40 * KiB, 48 * KiB, (byte) 0);
      readBack(f, model, "after zeroing a range");

      run("fallocate", "-o", String.valueOf(600 * KiB), "-l", String.valueOf(400 * KiB), f);
      model = Arrays.copyOf(model, 1000 * KiB);
      readBack(f, model, "after fallocate past the end");

      byte[] direct = new byte[8 * KiB];
      new Random(3).nextBytes(direct);
      Path directSrc = tmp.resolve("direct");
      Files.write(directSrc, direct);
      run(
          List.of(
              "dd",
              "if=" + directSrc,
              "of=" + f,
              "bs=4096",
              "seek=16",
              "oflag=direct",
              "conv=notrunc",
              "status=none"));
      System.arraycopy(direct, 0, model, 64 * KiB, direct.length);
      readBack(f, model, "after an O_DIRECT write");

      python(
          "import mmap, os, sys\n"
              + "fd = os.open(sys.argv[1], os.O_RDWR)\n"
              + "m = mmap.mmap(fd, 0)\n"
              + "m[5000:5006] = b'mapped'\n"
              + "m.flush(); m.close(); os.close(fd)\n",
          f.toString());
      System.arraycopy("mapped".getBytes(), 0, model, 5000, 6);
      readBack(f, model, "after an mmap write");

      byte[] other = new byte[256 * KiB];
      new Random(4).nextBytes(other);
      Path src = m.path().resolve("src");
      Files.write(src, other);
      python(
          "import os, sys\n"
              + "s = os.open(sys.argv[1], os.O_RDONLY); d = os.open(sys.argv[2], os.O_WRONLY)\n"
              + "left = 128 * 1024; off_in = 0; off_out = 512 * 1024\n"
              + "while left:\n"
              + "    n = os.copy_file_range(s, d, left, off_in, off_out)\n"
              + "    left -= n; off_in += n; off_out += n\n"
              + "os.close(s); os.close(d)\n",
          src.toString(),
          f.toString());
      System.arraycopy(other, 0, model, 512 * KiB, 128 * KiB);
      readBack(f, model, "after copy_file_range into it");

      readBack(src, other, "the copy's source");
      Files.move(src, f, StandardCopyOption.REPLACE_EXISTING);
      model = other;
      readBack(f, model, "after a rename over it");

      Cmd.run(List.of("sh", "-c", "sync; echo 3 > /proc/sys/vm/drop_caches")).check();
      readBack(f, model, "after drop_caches");
    }
    BtrfsCheck.assertClean(img, "after the cache coherence steps");
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "ro")) {
      assertArrayEquals(model, Files.readAllBytes(k.path().resolve("f")), "a kernel mount");
    }
  }

  /** A fresh open and a whole read; the first read after a change is served from the cache. */
  private static void readBack(Path f, byte[] want, String when) throws Exception {
    for (int i = 0; i < 2; i++) assertArrayEquals(want, Files.readAllBytes(f), when);
  }

  private static void run(String tool, String a, String b, String c, String d, String e, Path f) {
    run(List.of(tool, a, b, c, d, e, f.toString()));
  }

  private static void run(String tool, String a, String b, String c, String d, Path f) {
    run(List.of(tool, a, b, c, d, f.toString()));
  }

  private static void run(List<String> cmd) {
    Cmd.run(cmd).check();
  }

  private static void python(String script, String... args) {
    List<String> cmd = new java.util.ArrayList<>(List.of("python3", "-c", script));
    cmd.addAll(List.of(args));
    Cmd.run(cmd).check();
  }
}
