package org.jbtrfs.oracle;

import java.util.SplittableRandom;

/**
 * File data changes for a mounted filesystem, through a {@link MountTwin} so the local copy gets
 * the same bytes: big files overwritten in parts at unaligned offsets after their first version was
 * committed (so RAID5/6 rows already on disk are read, modified and written back), truncated
 * smaller and larger, written with O_DIRECT, preallocated and written into, deleted; and many small
 * files (inline ones and ones of a few sectors) created, partly overwritten and some deleted.
 */
final class FuseDataWorkload {
  private static final int KiB = 1 << 10;
  private static final int MiB = 1 << 20;
  private static final int STRIPE = 64 * KiB;

  private FuseDataWorkload() {}

  /** The big-file changes under {@code ops}'s root, which must exist. */
  static void bigFiles(MountTwin ops, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    overwrites(ops, r);
    shrinkAndGrow(ops, r);
    direct(ops, r);
    preallocated(ops, r);
    // A committed file deleted: its extents and checksums go, its rows' parity stays right.
    ops.write("deleted", 0, bytes(r, 6 * MiB + 999));
    ops.fsync("deleted");
    ops.delete("deleted");
  }

  private static void overwrites(MountTwin ops, SplittableRandom r) {
    ops.write("overwritten", 0, bytes(r, 12 * MiB + 5000));
    ops.fsync("overwritten"); // the rows are on disk: what follows is read-modify-write
    ops.write("overwritten", 3L * STRIPE + 1234, bytes(r, 10_000));
    ops.write("overwritten", MiB + 4095, bytes(r, 300_000)); // spans several stripes
    ops.write("overwritten", 7L * STRIPE - 10, bytes(r, 20)); // across one stripe boundary
    ops.write("overwritten", 12L * MiB - 100, bytes(r, 5100 + 777)); // past the end
    ops.write("overwritten", 5L * MiB + 1, bytes(r, 1)); // one byte
  }

  private static void shrinkAndGrow(MountTwin ops, SplittableRandom r) {
    ops.write("shrunk", 0, bytes(r, 9 * MiB + 123));
    ops.fsync("shrunk");
    ops.truncate("shrunk", 5L * MiB + 4567); // inside a sector of a committed extent
    ops.truncate("shrunk", 11L * MiB); // a hole after the old end, which must read as zeros
    ops.write("shrunk", 6L * MiB + 3, bytes(r, 50_000));
    ops.truncate("shrunk", 6L * MiB + 20_001);
  }

  private static void direct(MountTwin ops, SplittableRandom r) {
    ops.writeDirect("direct", 0, bytes(r, 4 * MiB));
    ops.fsync("direct");
    ops.writeDirect("direct", 37L * 4096, bytes(r, 64 * KiB)); // sector, not stripe, aligned
    ops.writeDirect("direct", 6L * MiB, bytes(r, 256 * KiB)); // past the end, leaving a hole
    ops.write("direct", 2L * MiB + 77, bytes(r, 1000)); // buffered into the O_DIRECT data
  }

  private static void preallocated(MountTwin ops, SplittableRandom r) {
    ops.fallocate("falloc", 0, 8L * MiB, false);
    ops.write("falloc", MiB + 333, bytes(r, 100_000)); // into the preallocated range
    ops.fsync("falloc");
    ops.write("falloc", 3L * MiB + 5, bytes(r, 7000));
    ops.fallocate("falloc", 8L * MiB, 2L * MiB, true); // past the end, size kept
    ops.write("falloc", 8L * MiB + 5, bytes(r, 70_000)); // into it, the size grows
    ops.fallocate("falloc", 12L * MiB, MiB, false); // leaves a hole before it
    ops.write("falloc", 12L * MiB + 4097, bytes(r, 4096));
  }

  /**
   * {@code count} small files in directories of 250: three in four inline-sized (up to 2,000
   * bytes), the rest 4-40 KiB; then every 50th partly overwritten at an unaligned offset and every
   * 9th deleted.
   */
  static void smallFiles(MountTwin ops, int count, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] sizes = new int[count];
    for (int i = 0; i < count; i++) {
      if (i % 250 == 0) ops.mkdirs(dir(i));
      sizes[i] = r.nextInt(4) < 3 ? 1 + r.nextInt(2000) : 4 * KiB + r.nextInt(36 * KiB);
      ops.create(name(i), bytes(r, sizes[i]));
    }
    for (int i = 0; i < count; i += 50) {
      int off = sizes[i] / 3 + 1;
      ops.write(name(i), off, bytes(r, Math.max(1, sizes[i] / 4)));
    }
    for (int i = 4; i < count; i += 9) ops.delete(name(i));
  }

  private static String dir(int i) {
    return String.format("d%03d", i / 250);
  }

  private static String name(int i) {
    return dir(i) + String.format("/f%05d", i);
  }

  static byte[] bytes(SplittableRandom r, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i += 8) {
      long v = r.nextLong();
      for (int k = 0; k < 8 && i + k < n; k++) b[i + k] = (byte) (v >>> (8 * k));
    }
    return b;
  }
}
