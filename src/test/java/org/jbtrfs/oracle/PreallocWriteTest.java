package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data written into preallocated space goes where fallocate put it, as in the kernel: the file's
 * extent items after buffered writes in random order and O_DIRECT writes all point into the extents
 * fallocate made (written parts regular, with checksums; the rest still preallocated), the
 * filesystem allocates no more data than was preallocated, btrfs check is clean, and the kernel
 * reads the same bytes. Without it, a file preallocated on a nearly full filesystem could not be
 * written.
 */
class PreallocWriteTest {
  private static final int MIB = 1 << 20;
  private static final Pattern DATA_EXTENT =
      Pattern.compile(
          "key \\(\\d+ EXTENT_ITEM (\\d+)\\) itemoff \\d+ itemsize \\d+\\n"
              + "\\s+refs \\d+ gen \\d+ flags DATA");

  @TempDir Path tmp;

  @Test
  void writesFillPreallocatedExtentsInPlace() throws Exception {
    Environment.requireOracleHost();
    Path img = tmp.resolve("prealloc.img");
    Loop.createSparse(img, 512L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    int size = 64 * MIB;
    byte[] model = new byte[size];
    Random rnd = new Random(7);
    try (FuseMount m = FuseMount.mountReadWrite(List.of(img), tmp.resolve("j"), "")) {
      Path f = m.path().resolve("pre");
      Files.createFile(f);
      Cmd.run(List.of("fallocate", "-l", String.valueOf(size), f.toString())).check();
    }
    String before = fsDump(img);
    long ino = DumpText.inodeOf(before, 256, "pre");
    List<long[]> preallocated = new ArrayList<>();
    for (String e : DumpText.fileExtents(before, ino)) {
      String[] x = e.split(" ");
      assertThat(x[1]).as("fallocate made prealloc extents").isEqualTo("2");
      preallocated.add(new long[] {Long.parseLong(x[2]), Long.parseLong(x[3])});
    }
    try (FuseMount m = FuseMount.mountReadWrite(List.of(img), tmp.resolve("j"), "")) {
      Path f = m.path().resolve("pre");
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
        // Into preallocated space only (an overwrite of data already written copies on write,
        // in the kernel too): 150 slots of the first 30 MiB in random order, a random part each.
        List<Integer> slots = new ArrayList<>();
        for (int i = 0; i < 150; i++) slots.add(i);
        java.util.Collections.shuffle(slots, rnd);
        int slot = 200 * 1024;
        for (int i : slots) {
          int len = 1 + rnd.nextInt(slot - 1);
          int off = i * slot + rnd.nextInt(slot - len);
          byte[] data = new byte[len];
          rnd.nextBytes(data);
          ch.write(ByteBuffer.wrap(data), off);
          System.arraycopy(data, 0, model, off, len);
        }
        // Neighbouring writes join one regular piece instead of an item each.
        for (int off = 40 * MIB; off < 41 * MIB; off += 4096) {
          byte[] data = new byte[4096];
          rnd.nextBytes(data);
          ch.write(ByteBuffer.wrap(data), off);
          System.arraycopy(data, 0, model, off, data.length);
        }
      }
      try (FileChannel ch =
          FileChannel.open(
              f, StandardOpenOption.WRITE, com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
        ByteBuffer buf = ByteBuffer.allocateDirect(5 * 4096).alignedSlice(4096).limit(4 * 4096);
        byte[] data = new byte[4 * 4096];
        rnd.nextBytes(data);
        buf.put(data).flip();
        ch.write(buf, 50L * MIB);
        System.arraycopy(data, 0, model, 50 * MIB, data.length);
      }
    }
    String after = fsDump(img);
    List<String> items = DumpText.fileExtents(after, ino);
    int regular = 0;
    for (String e : items) {
      String[] x = e.split(" ");
      long disk = Long.parseLong(x[2]);
      long len = Long.parseLong(x[3]);
      assertThat(preallocated)
          .as("item " + e + " points into a preallocated extent")
          .anyMatch(p -> p[0] == disk && p[1] == len);
      if (x[1].equals("1")) regular++;
    }
    assertThat(regular).isGreaterThan(0);
    // 150 writes, each at most 2 more items; the 256 adjacent 4 KiB writes must not add 256 more.
    assertThat(items.size()).isLessThan(1 + 2 * 150 + 2 * 20);
    BtrfsCheck.assertClean(img, "after writes into preallocated extents");
    String extents =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "extent", img.toString()))
            .check()
            .out();
    long allocated = 0;
    for (Matcher a = DATA_EXTENT.matcher(extents); a.find(); )
      allocated += Long.parseLong(a.group(1));
    assertThat(allocated).as("data extents in the extent tree").isEqualTo(size);
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("k"), "")) {
      assertArrayEquals(model, Files.readAllBytes(k.path().resolve("pre")), "the kernel reads pre");
    }
  }

  /**
   * Preallocating until ENOSPC gets as far as on the kernel (within 5%), and the preallocated files
   * can then be written in full: their data needs no space beyond what fallocate took.
   */
  @Test
  void aFilesystemFullOfPreallocationCanStillBeWritten() throws Exception {
    Environment.requireOracleHost();
    long kernel;
    Path kImg = tmp.resolve("k.img");
    Loop.createSparse(kImg, 512L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", kImg.toString())).check();
    try (Loop loop = Loop.attach(List.of(kImg));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("k"))) {
      kernel = fillWithPreallocation(k.path());
    }
    Path jImg = tmp.resolve("j.img");
    Loop.createSparse(jImg, 512L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", jImg.toString())).check();
    long jbtrfs;
    byte[] chunk = new byte[MIB];
    new Random(3).nextBytes(chunk);
    int files;
    try (FuseMount m = FuseMount.mountReadWrite(List.of(jImg), tmp.resolve("j"), "")) {
      jbtrfs = fillWithPreallocation(m.path());
      files = (int) (jbtrfs / (16 * MIB));
      for (int i = 0; i < files; i++) {
        try (FileChannel ch =
            FileChannel.open(m.path().resolve("f" + i), StandardOpenOption.WRITE)) {
          for (int off = 0; off < 16 * MIB; off += MIB) ch.write(ByteBuffer.wrap(chunk), off);
        }
      }
    }
    System.err.printf(
        "PreallocWriteTest: preallocated until ENOSPC: kernel %d MiB, jbtrfs %d MiB%n",
        kernel >> 20, jbtrfs >> 20);
    assertThat(jbtrfs)
        .as("bytes preallocated, against the kernel's")
        .isGreaterThanOrEqualTo(kernel * 95 / 100);
    BtrfsCheck.assertClean(jImg, "after writing a filesystem full of preallocation");
    try (Loop loop = Loop.attach(List.of(jImg));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("k"), "")) {
      byte[] expected = new byte[16 * MIB];
      for (int off = 0; off < expected.length; off += MIB)
        System.arraycopy(chunk, 0, expected, off, MIB);
      for (int i = 0; i < files; i++)
        assertArrayEquals(expected, Files.readAllBytes(k.path().resolve("f" + i)), "f" + i);
    }
  }

  /** fallocate 16 MiB files until one is refused; the bytes preallocated. */
  private static long fillWithPreallocation(Path dir) {
    long total = 0;
    for (int i = 0; ; i++) {
      Cmd.Result r =
          Cmd.run(List.of("fallocate", "-l", "16M", dir.resolve("f" + i).toString()), null, 60);
      if (r.exitCode() != 0) {
        assertThat(r.stderr()).contains("No space left");
        Cmd.run(List.of("rm", "-f", dir.resolve("f" + i).toString()));
        return total;
      }
      total += 16 * MIB;
    }
  }

  private static String fsDump(Path img) {
    return Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "fs", img.toString()))
        .check()
        .out();
  }
}
