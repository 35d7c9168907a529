package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fallocate through jbtrfs, checked with btrfs-progs and against the kernel running the same
 * commands: a 1 TiB preallocation (4,096 prealloc extents of 256 MiB, as the kernel caps them),
 * KEEP_SIZE, PUNCH_HOLE and ZERO_RANGE on an identical file, and the rounding of an unaligned range
 * past 4 GiB.
 */
class FallocateTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;
  private static final Pattern PREALLOC = Pattern.compile("prealloc data disk byte \\d+ nr (\\d+)");
  private static final Pattern FRAG =
      Pattern.compile("(?m)^\\s*\\d+:\\s+(\\d+)\\.\\.\\s*(\\d+):.*$");
  private static final Pattern FRAG_BLOCK = Pattern.compile("blocks of (\\d+) bytes");

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
    if (Cmd.run(List.of("bash", "-c", "command -v filefrag")).exitCode() != 0) {
      String reason = "filefrag (e2fsprogs) is not installed";
      System.err.println(reason);
      org.junit.jupiter.api.Assumptions.abort(reason);
    }
  }

  @Test
  void oneTebibyte(@TempDir Path tmp) throws Exception {
    long t0 = System.nanoTime();
    Path img = ImageFiles.mkfs(tmp, "2t.img", 2L << 40);
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    try (RwFuseMount m = RwFuseMount.mount(img, mnt, "")) {
      EnospcSupport.within(
          300,
          "fallocate -l 1T",
          () ->
              Cmd.run(List.of("fallocate", "-l", "1T", mnt.resolve("big").toString()), null, 300)
                  .check());
    }
    String dump =
        Cmd.run(
                List.of("btrfs", "inspect-internal", "dump-tree", "-t", "5", img.toString()),
                null,
                300)
            .check()
            .out();
    TreeMap<Long, Integer> sizes = new TreeMap<>();
    Matcher pm = PREALLOC.matcher(dump);
    while (pm.find()) sizes.merge(Long.parseLong(pm.group(1)), 1, Integer::sum);
    System.out.println("FallocateTest: prealloc extents by size after fallocate -l 1T: " + sizes);
    assertEquals(
        java.util.Map.of(256 * MiB, 4096), sizes, "expected 4096 prealloc extents of 256 MiB");
    BtrfsCheck.assertClean(img, "after fallocate -l 1T");
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "")) {
      Path big = km.path().resolve("big");
      String[] st =
          Cmd.run(List.of("stat", "-c", "%s %b %B", big.toString()))
              .check()
              .out()
              .trim()
              .split(" ");
      assertEquals(1L << 40, Long.parseLong(st[0]), "kernel sees the wrong size");
      assertEquals(
          1L << 40,
          Long.parseLong(st[1]) * Long.parseLong(st[2]),
          "kernel sees the wrong block count");
      String frag = Cmd.run(List.of("filefrag", "-v", big.toString())).check().out();
      long blk = blockSize(frag);
      long covered = 0;
      Matcher fm = FRAG.matcher(frag);
      while (fm.find()) {
        assertTrue(fm.group().contains("unwritten"), "an extent is not unwritten: " + fm.group());
        covered += (Long.parseLong(fm.group(2)) - Long.parseLong(fm.group(1)) + 1) * blk;
      }
      assertEquals(1L << 40, covered, "filefrag's unwritten extents do not cover 1 TiB:\n" + frag);
    }
    System.out.printf(
        "FallocateTest.oneTebibyte passed in %d s%n", (System.nanoTime() - t0) / 1_000_000_000);
  }

  /**
   * The same fallocate commands on the same file, kernel and jbtrfs; bytes and sizes must agree.
   */
  @Test
  void modesAgreeWithTheKernel(@TempDir Path tmp) throws Exception {
    long t0 = System.nanoTime();
    Path base = ImageFiles.mkfs(tmp, "base.img", 512 * MiB);
    Path kimg = tmp.resolve("k.img");
    Path jimg = tmp.resolve("j.img");
    Cmd.run(List.of("cp", "--sparse=always", base.toString(), kimg.toString())).check();
    Cmd.run(List.of("cp", "--sparse=always", base.toString(), jimg.toString())).check();
    Path kmnt = Files.createDirectories(tmp.resolve("kmnt"));
    Path jmnt = Files.createDirectories(tmp.resolve("jmnt"));
    long size0 = 3 * MiB + 1234;
    List<List<String>> steps =
        List.of(
            List.of("-n", "-o", "4M", "-l", "2M"), // KEEP_SIZE past EOF
            List.of("-n", "-o", "1M", "-l", "1M"), // KEEP_SIZE over data (no change)
            List.of("-p", "-o", "100000", "-l", "300000"), // PUNCH_HOLE, unaligned both ends
            List.of("-p", "-o", "0", "-l", "4096"), // PUNCH_HOLE, one aligned sector
            List.of("-p", "-o", "3145000", "-l", "1M"), // PUNCH_HOLE across EOF
            List.of("-z", "-o", "1500000", "-l", "200001"), // ZERO_RANGE, unaligned
            List.of("-z", "-o", "3M", "-l", "2M"), // ZERO_RANGE past EOF: extends the size
            List.of("-z", "-n", "-o", "6M", "-l", "1M"), // ZERO_RANGE | KEEP_SIZE past EOF
            List.of("-o", "8M", "-l", "100"), // default mode, grows to 8M+100
            List.of("-p", "-o", "2M", "-l", "1")); // a one-byte punch
    List<String> report = new ArrayList<>();
    try (Loop loop = Loop.attach(List.of(kimg));
        KernelMount km = KernelMount.mountReadWrite(loop.devices(), kmnt);
        RwFuseMount jm = RwFuseMount.mount(jimg, jmnt, "")) {
      Path kf = kmnt.resolve("f");
      Path jf = jmnt.resolve("f");
      byte[] d = EnospcSupport.writeFile(kf, size0, 9, null);
      assertArrayEquals(d, EnospcSupport.writeFile(jf, size0, 9, null));
      for (List<String> step : steps) {
        int rk = fallocate(step, kf);
        int rj = fallocate(step, jf);
        assertEquals(
            rk,
            rj,
            "fallocate " + step + " exit status differs (kernel " + rk + ", jbtrfs " + rj + ")");
        long sk = Files.size(kf);
        long sj = Files.size(jf);
        assertEquals(sk, sj, "size after fallocate " + step);
        assertArrayEquals(
            EnospcSupport.digestOf(kf),
            EnospcSupport.digestOf(jf),
            "bytes after fallocate " + step);
        // Allocation too: the same blocks freed and preallocated (sync so the kernel's are
        // settled).
        Cmd.run(List.of("sync", kf.toString())).check();
        assertEquals(blocks(kf), blocks(jf), "st_blocks after fallocate " + step);
        report.add(String.join(" ", step) + " -> size " + sj + ", " + blocks(jf) + " blocks");
      }
      // The 300000-byte punch at 100000 reads as zeros; the bytes around it are the original ones.
      byte[] got = readRange(jf, 0, 500_000);
      byte[] orig = original(500_000);
      for (int i = 4096; i < 500_000; i++) {
        byte want = i >= 100_000 && i < 400_000 ? 0 : orig[i];
        if (got[i] != want)
          throw new AssertionError("byte " + i + " is " + got[i] + ", expected " + want);
      }
    }
    BtrfsCheck.assertClean(jimg, "after fallocate modes");
    // What jbtrfs stored, read by the kernel, is what the kernel made. The two images are copies
    // of one filesystem (same fsid), so the kernel mounts them one after the other.
    long kSize = underKernel(kimg, kmnt, m -> Files.size(m.resolve("f")));
    byte[] kDigest = underKernel(kimg, kmnt, m -> EnospcSupport.digestOf(m.resolve("f")));
    long jSize = underKernel(jimg, jmnt, m -> Files.size(m.resolve("f")));
    byte[] jDigest = underKernel(jimg, jmnt, m -> EnospcSupport.digestOf(m.resolve("f")));
    {
      assertEquals(kSize, jSize);
      assertArrayEquals(kDigest, jDigest, "the kernel reads different bytes from the jbtrfs image");
    }
    System.out.println("FallocateTest: steps " + report);
    System.out.printf(
        "FallocateTest.modesAgreeWithTheKernel passed in %d s%n",
        (System.nanoTime() - t0) / 1_000_000_000);
  }

  /** An unaligned range past 4 GiB: both must preallocate exactly the sector-aligned cover. */
  @Test
  void roundingPastFourGiB(@TempDir Path tmp) throws Exception {
    long t0 = System.nanoTime();
    Path base = ImageFiles.mkfs(tmp, "base.img", 16 * GiB);
    Path kimg = tmp.resolve("k.img");
    Path jimg = tmp.resolve("j.img");
    Cmd.run(List.of("cp", "--sparse=always", base.toString(), kimg.toString())).check();
    Cmd.run(List.of("cp", "--sparse=always", base.toString(), jimg.toString())).check();
    Path kmnt = Files.createDirectories(tmp.resolve("kmnt"));
    Path jmnt = Files.createDirectories(tmp.resolve("jmnt"));
    long off = 5 * GiB + 123;
    long len = 3 * GiB + 4567;
    List<String> args = List.of("-o", Long.toString(off), "-l", Long.toString(len));
    try (Loop loop = Loop.attach(List.of(kimg));
        KernelMount km = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
      assertEquals(0, fallocate(args, kmnt.resolve("f")));
    }
    try (RwFuseMount jm = RwFuseMount.mount(jimg, jmnt, "")) {
      assertEquals(0, fallocate(args, jmnt.resolve("f")));
    }
    BtrfsCheck.assertClean(jimg, "after the unaligned fallocate");
    List<long[]> k;
    List<long[]> j;
    long ks;
    long js;
    // Copies of one filesystem (same fsid): the kernel mounts them one after the other.
    k = underKernel(kimg, kmnt, m -> ranges(m.resolve("f")));
    ks = underKernel(kimg, kmnt, m -> Files.size(m.resolve("f")));
    j = underKernel(jimg, jmnt, m -> ranges(m.resolve("f")));
    js = underKernel(jimg, jmnt, m -> Files.size(m.resolve("f")));
    long want0 = off / 4096 * 4096;
    long want1 = (off + len + 4095) / 4096 * 4096;
    System.out.printf(
        "FallocateTest: -o %d -l %d: kernel allocated %s size %d, jbtrfs %s size %d, aligned [%d,"
            + " %d)%n",
        off, len, show(k), ks, show(j), js, want0, want1);
    assertEquals(off + len, ks, "kernel size");
    assertEquals(ks, js, "size differs from the kernel's");
    assertEquals(show(k), show(j), "allocated ranges differ from the kernel's");
    assertEquals(1, j.size(), "expected one contiguous allocated range");
    assertTrue(
        j.get(0)[0] <= want0 && j.get(0)[1] >= want1, "jbtrfs does not cover the aligned range");
    assertTrue(
        k.get(0)[0] <= want0 && k.get(0)[1] >= want1, "kernel does not cover the aligned range");
    System.out.printf(
        "FallocateTest.roundingPastFourGiB passed in %d s%n",
        (System.nanoTime() - t0) / 1_000_000_000);
  }

  private static long blocks(Path f) {
    return Long.parseLong(Cmd.run(List.of("stat", "-c", "%b", f.toString())).check().out().trim());
  }

  private static int fallocate(List<String> args, Path f) {
    List<String> cmd = new ArrayList<>(List.of("fallocate"));
    cmd.addAll(args);
    cmd.add(f.toString());
    Cmd.Result r = Cmd.run(cmd, null, 120);
    if (r.exitCode() != 0)
      System.out.println("FallocateTest: " + cmd + " -> " + r.exitCode() + " " + r.stderr());
    return r.exitCode();
  }

  /** Logical byte ranges [start, end) filefrag reports, adjacent ones merged. */
  private static List<long[]> ranges(Path f) {
    String out = Cmd.run(List.of("filefrag", "-v", f.toString())).check().out();
    long blk = blockSize(out);
    List<long[]> r = new ArrayList<>();
    Matcher m = FRAG.matcher(out);
    while (m.find()) {
      long s = Long.parseLong(m.group(1)) * blk;
      long e = (Long.parseLong(m.group(2)) + 1) * blk;
      if (!r.isEmpty() && r.get(r.size() - 1)[1] == s) r.get(r.size() - 1)[1] = e;
      else r.add(new long[] {s, e});
    }
    return r;
  }

  private static long blockSize(String filefrag) {
    Matcher b = FRAG_BLOCK.matcher(filefrag);
    if (!b.find())
      throw new IllegalStateException("no block size in filefrag output:\n" + filefrag);
    return Long.parseLong(b.group(1));
  }

  private static String show(List<long[]> r) {
    StringBuilder sb = new StringBuilder();
    for (long[] x : r) sb.append('[').append(x[0]).append(", ").append(x[1]).append(')');
    return sb.toString();
  }

  private static byte[] readRange(Path f, long off, int len) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r")) {
      byte[] b = new byte[len];
      raf.seek(off);
      raf.readFully(b);
      return b;
    }
  }

  /** The first {@code n} bytes of the file EnospcSupport.writeFile writes with seed 9. */
  private static byte[] original(int n) {
    java.util.SplittableRandom r = new java.util.SplittableRandom(9);
    byte[] b = new byte[n];
    for (int i = 0; i < n; i += 8) {
      long v = r.nextLong();
      for (int k = 0; k < 8 && i + k < n; k++) b[i + k] = (byte) (v >>> (8 * k));
    }
    return b;
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private interface OnMount<T> {
    T apply(Path mnt) throws Exception;
  }

  /** Mounts {@code img} through the kernel (read-write, as the test's readers expect), reads. */
  private static <T> T underKernel(Path img, Path mnt, OnMount<T> read) throws Exception {
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount km = KernelMount.mount(loop.devices(), mnt, "")) {
      return read.apply(mnt);
    }
  }
}
