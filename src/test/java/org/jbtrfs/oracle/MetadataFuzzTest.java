package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damages random tree blocks of a small kernel-made image, then opens it and walks everything
 * through the Filesystem API. Allowed: success or an IOException. Anything else (index out of
 * range, negative array size, OutOfMemoryError, stack overflow, a walk that does not finish in 10
 * s) is a bug. Plain byte flips only test the checksum, so most mutations rewrite the block's
 * checksum afterwards to reach the structure checker and the item decoders; some hit the superblock
 * (again re-checksummed) to reach the chunk-array and geometry checks.
 *
 * <p>Seeded (-Djbtrfs.fuzzSeed=N to reproduce or vary), bounded by -Djbtrfs.fuzzSeconds (25) and
 * -Djbtrfs.fuzzMaxIterations (5000).
 */
class MetadataFuzzTest {
  private static final long SEED = Long.getLong("jbtrfs.fuzzSeed", 0x5EEDL);
  private static final long SECONDS = Long.getLong("jbtrfs.fuzzSeconds", 25);
  private static final int MAX_ITERATIONS = Integer.getInteger("jbtrfs.fuzzMaxIterations", 5000);
  private static final Duration PER_ITERATION = Duration.ofSeconds(10);
  private static final long[] INTERESTING = {
    0,
    1,
    2,
    0x7f,
    0x80,
    0xff,
    0x100,
    0x7fff,
    0x8000,
    0xffff,
    4095,
    4096,
    4097,
    16384,
    65536,
    0x7fffffffL,
    0x80000000L,
    0xffffffffL,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    -1L
  };

  @TempDir static Path dir;
  private static ScratchImage img;
  private static int nodeSize;
  private static ChecksumType csum;

  /** Physical offset of every tree block (single profile: one copy each). */
  private static final List<Long> blocks = new ArrayList<>();

  /** The subset the walk reads: root, chunk, fs/subvolume and csum trees. */
  private static final List<Long> walked = new ArrayList<>();

  @BeforeAll
  static void buildImage() throws IOException {
    Environment.requireOracleHost();
    // A bit of everything the decoders handle: inline and regular files, holes, compressed
    // extents, xattrs, symlinks, hard links, special files, a subvolume and a snapshot.
    String populate =
        String.join(
            "\n",
            "mkdir -p a/b/c e",
            "for i in $(seq 1 40); do echo \"small $i\" > a/s$i; done",
            "head -c 300000 /dev/urandom > a/b/random",
            "btrfs property set a/b compression zstd && btrfs property set e compression zlib",
            "python3 -c \"open('a/b/z','wb').write(b'compressible\\n' * 15000)\"",
            "python3 -c \"open('e/zz','wb').write(b'zlib\\n' * 20000)\"",
            "truncate -s 1M a/b/c/sparse && printf tail >> a/b/c/sparse",
            "ln -s ../s1 a/b/link && ln a/s2 e/hard && mkfifo e/fifo",
            "setfattr -n user.k -v value a/s3 && setfattr -n user.big -v \"$(head -c 1000 /dev/zero"
                + " | tr '\\0' x)\" e/zz",
            "btrfs subvolume create sv >/dev/null && echo insub > sv/f && btrfs subvolume snapshot"
                + " sv snap >/dev/null",
            "sync",
            "");
    img =
        ScratchImage.create(
            dir,
            "fuzz",
            256L << 20,
            1,
            List.of("-m", "single", "-d", "single", "--nodesize", "4096"),
            populate);
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      nodeSize = fs.superblock().nodeSize();
      csum = fs.superblock().checksumType();
    }
    ChunkLayout layout = ChunkLayout.of(img);
    for (long logical : DumpText.blocks(img.inspect("dump-tree"))) {
      long physical = layout.copies(logical).get(0).physical();
      blocks.add(physical);
      long owner = Le.u64(ScratchImage.read(img.image(), physical + TreeHeader.OWNER, 8), 0);
      if (owner == 1 || owner == 3 || owner == 5 || owner == 7 || (owner >= 256 && owner < -256L)) {
        walked.add(physical);
      }
    }
    assertThat(blocks).hasSizeGreaterThan(10);
    assertThat(walked).isNotEmpty();
  }

  @Test
  void corruptedMetadataYieldsDataOrIoExceptionsOnly() {
    long deadline = System.nanoTime() + SECONDS * 1_000_000_000L;
    Map<String, Integer> outcomes = new TreeMap<>();
    int iteration = 0;
    for (; System.nanoTime() < deadline && iteration < MAX_ITERATIONS; iteration++) {
      Random rnd = new Random(SEED * 1_000_003L + iteration);
      Map<Long, byte[]> saved = new TreeMap<>();
      StringBuilder what = new StringBuilder("seed " + SEED + " iteration " + iteration + ":");
      try {
        int damaged = 1 + rnd.nextInt(2);
        for (int i = 0; i < damaged; i++) {
          if (rnd.nextInt(10) == 0) {
            mutate(Superblock.MIRROR_OFFSETS[0], Superblock.SIZE, true, rnd, saved, what);
          } else {
            List<Long> from = rnd.nextInt(5) == 0 ? blocks : walked;
            mutate(from.get(rnd.nextInt(from.size())), nodeSize, false, rnd, saved, what);
          }
        }
        String outcome;
        try {
          outcome =
              assertTimeoutPreemptively(
                  PER_ITERATION, MetadataFuzzTest::openAndWalk, what::toString);
        } catch (Throwable t) {
          throw new AssertionError(what + " -> " + t, t);
        }
        outcomes.merge(outcome, 1, Integer::sum);
      } finally {
        saved.forEach((off, bytes) -> ScratchImage.write(img.image(), off, bytes));
      }
    }
    System.err.println("fuzz: " + iteration + " iterations (seed " + SEED + "): " + outcomes);
    assertThat(iteration).isGreaterThan(20);
  }

  /** Opens and walks the damaged image; returns a coarse outcome label for the statistics. */
  private static String openAndWalk() {
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      FsWalk w = FsWalk.of(fs);
      if (Boolean.getBoolean("jbtrfs.fuzzDebug"))
        System.err.println("DBG nodes=" + w.nodes + " bytes=" + w.bytesRead + " " + w.errors);
      return w.ioErrors == 0 ? "clean walk" : "walk with IO errors";
    } catch (IOException e) {
      if (Boolean.getBoolean("jbtrfs.fuzzDebug")) System.err.println("DBG open " + e);
      return "open failed";
    }
  }

  /**
   * Damages the block at {@code physical} ({@code size} bytes, first copy saved for restore). One
   * in five keep the old checksum (must be caught by it); the rest write values at offsets in the
   * header, the item descriptors or the item data, and then re-checksum.
   */
  private static void mutate(
      long physical,
      int size,
      boolean superblock,
      Random rnd,
      Map<Long, byte[]> saved,
      StringBuilder what) {
    byte[] b = ScratchImage.read(img.image(), physical, size);
    saved.putIfAbsent(physical, b.clone());
    boolean recsum = superblock || rnd.nextInt(5) != 0;
    int n = 1 + rnd.nextInt(4);
    what.append(superblock ? " superblock" : " block@" + physical)
        .append(recsum ? " (re-csum)" : "")
        .append(" [");
    for (int i = 0; i < n; i++) {
      int width = new int[] {1, 2, 4, 8}[rnd.nextInt(4)];
      int off = offset(b, size, superblock, rnd);
      off = Math.min(off, size - width);
      long value =
          rnd.nextBoolean()
              ? INTERESTING[rnd.nextInt(INTERESTING.length)]
              : rnd.nextInt(3) == 0
                  ? rnd.nextLong()
                  : old(b, off, width) + rnd.nextInt(65) - 32; // near the real value
      for (int k = 0; k < width; k++) b[off + k] = (byte) (value >>> (8 * k));
      what.append(' ')
          .append(off)
          .append('=')
          .append(Long.toHexString(value))
          .append('/')
          .append(width);
    }
    what.append(" ]");
    if (recsum) csum.compute(b, Superblock.CSUM_SIZE, size - Superblock.CSUM_SIZE, b, 0);
    ScratchImage.write(img.image(), physical, b);
  }

  private static long old(byte[] b, int off, int width) {
    long v = 0;
    for (int k = 0; k < width; k++) v |= (b[off + k] & 0xffL) << (8 * k);
    return v;
  }

  /** Where to write: biased toward the bytes that steer decoding rather than free space. */
  private static int offset(byte[] b, int size, boolean superblock, Random rnd) {
    if (superblock) return 0x20 + rnd.nextInt(0xb2b + 4 * 168 - 0x20);
    int nritems = Math.max(0, Math.min(Le.i32(b, TreeHeader.NRITEMS), 200));
    boolean leaf = b[TreeHeader.LEVEL] == 0;
    int descEnd =
        TreeHeader.SIZE + nritems * (leaf ? TreeHeader.ITEM_SIZE : TreeHeader.KEY_PTR_SIZE);
    int r = rnd.nextInt(100);
    if (r < 15) return 0x20 + rnd.nextInt(TreeHeader.SIZE - 0x20);
    if (r < 55 || !leaf)
      return TreeHeader.SIZE + rnd.nextInt(Math.max(1, Math.min(descEnd, size) - TreeHeader.SIZE));
    // Item data of a leaf sits at the end of the block; sample its last quarter-plus.
    int dataStart = Math.max(descEnd, size - size / 2);
    return dataStart + rnd.nextInt(Math.max(1, size - dataStart));
  }
}
