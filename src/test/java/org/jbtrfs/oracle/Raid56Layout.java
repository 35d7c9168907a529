package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * RAID5/6 as btrfs lays it out, worked out in the test from btrfs-progs' chunk dump and the raw
 * image bytes, never from jbtrfs's volume package (which is what the tests judge): where a logical
 * byte's data strip lives, which chunk a physical byte belongs to, and whether every row's P and Q
 * equal what its data strips say on disk.
 *
 * <p>The facts (the kernel's btrfs_map_block): a chunk of n stripes with k parity stripes has w = n
 * - k data elements of stripe_len bytes per row; element e is data column e % w of row e / w;
 * position p of row r (0..w-1 data, w = P, w+1 = Q) is on stripe (r + p) % n, at that stripe's
 * offset + r * stripe_len. P is the XOR of the data columns, Q = sum of g^i * D_i over GF(2^8) with
 * g = 2 and the polynomial x^8 + x^4 + x^3 + x^2 + 1.
 */
final class Raid56Layout {
  /** Where the superblock copies sit on every device; a row holding one is not parity-checked. */
  private static final long[] SUPERBLOCKS = {64L << 10, 64L << 20, 256L << 30};

  private static final int SUPERBLOCK_SIZE = 4096;

  record Location(long devid, long physical) {}

  /** What a parity check saw: rows compared, rows holding any data, rows skipped, and bad rows. */
  record ParityReport(long rows, long rowsWithData, long skipped, List<String> mismatches) {}

  private final List<DeviceSetDump.Chunk> chunks;

  Raid56Layout(DeviceSetDump dump) {
    this.chunks = List.copyOf(dump.chunks);
  }

  List<DeviceSetDump.Chunk> chunks() {
    return chunks;
  }

  /** Parity stripes per row: 1 for RAID5, 2 for RAID6, 0 otherwise. */
  static int parity(DeviceSetDump.Chunk c) {
    if (c.type().contains("RAID5")) return 1;
    if (c.type().contains("RAID6")) return 2;
    return 0;
  }

  private static int copies(DeviceSetDump.Chunk c) {
    String t = c.type();
    if (t.contains("RAID1C3")) return 3;
    if (t.contains("RAID1C4")) return 4;
    if (t.contains("RAID1") || t.contains("DUP")) return 2; // RAID10 too
    return 1;
  }

  /** Data elements per row. */
  static int width(DeviceSetDump.Chunk c) {
    return (c.numStripes() - parity(c)) / copies(c);
  }

  /** Bytes of the chunk on each of its stripes. */
  static long perStripe(DeviceSetDump.Chunk c) {
    return c.length() / width(c);
  }

  DeviceSetDump.Chunk chunkOf(long logical) {
    for (DeviceSetDump.Chunk c : chunks)
      if (logical >= c.logical() && logical < c.logical() + c.length()) return c;
    throw new IllegalArgumentException("logical " + logical + " is in no chunk");
  }

  /** The data strip holding {@code logical} of a RAID5/6 chunk. */
  Location dataLocation(long logical) {
    DeviceSetDump.Chunk c = chunkOf(logical);
    if (parity(c) == 0) throw new IllegalArgumentException(c.describe() + " has no parity");
    long off = logical - c.logical();
    long element = off / c.stripeLen();
    long row = element / width(c);
    int col = (int) (element % width(c));
    long[] s = c.stripes().get((int) ((row + col) % c.numStripes()));
    return new Location(s[0], s[1] + row * c.stripeLen() + off % c.stripeLen());
  }

  /**
   * The type (DATA, METADATA, SYSTEM) of the chunk stripe holding a device byte; SUPERBLOCK for a
   * superblock copy (which may lie inside a chunk's stripe: the chunk's logical range over it is
   * never used); NONE outside every chunk.
   */
  String typeAt(long devid, long physical) {
    for (long sb : SUPERBLOCKS)
      if (physical >= sb && physical < sb + SUPERBLOCK_SIZE) return "SUPERBLOCK";
    for (DeviceSetDump.Chunk c : chunks) {
      for (long[] s : c.stripes()) {
        if (s[0] == devid && physical >= s[1] && physical < s[1] + perStripe(c))
          return c.type().split("\\|")[0];
      }
    }
    return "NONE";
  }

  /**
   * Recomputes P (and Q) of every row of every RAID5/6 chunk from the data strips in the images
   * (devid to image file) and compares them with the stored ones.
   */
  ParityReport verifyParity(Map<Long, Path> images) {
    Map<Long, FileChannel> open = new HashMap<>();
    long rows = 0;
    long withData = 0;
    long skipped = 0;
    List<String> bad = new ArrayList<>();
    try {
      for (Map.Entry<Long, Path> e : images.entrySet())
        open.put(e.getKey(), FileChannel.open(e.getValue(), StandardOpenOption.READ));
      for (DeviceSetDump.Chunk c : chunks) {
        int k = parity(c);
        if (k == 0) continue;
        int n = c.numStripes();
        int w = n - k;
        int sl = (int) c.stripeLen();
        long nrows = perStripe(c) / sl;
        byte[][] strip = new byte[n][sl];
        for (long r = 0; r < nrows; r++) {
          if (holdsSuperblock(c, r)) {
            skipped++;
            continue;
          }
          for (int p = 0; p < n; p++) {
            long[] s = c.stripes().get((int) ((r + p) % n));
            readFully(open.get(s[0]), s[1] + r * sl, strip[p]);
          }
          rows++;
          boolean data = false;
          for (int p = 0; p < w && !data; p++) data = !allZero(strip[p]);
          if (data) withData++;
          byte[] pWant = xor(strip, w, sl);
          int at = firstDifference(pWant, strip[w]);
          if (at >= 0) bad.add(c.describe() + " row " + r + ": P differs at byte " + at);
          if (k == 2) {
            at = firstDifference(gfQ(strip, w, sl), strip[w + 1]);
            if (at >= 0) bad.add(c.describe() + " row " + r + ": Q differs at byte " + at);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (FileChannel ch : open.values()) {
        try {
          ch.close();
        } catch (IOException ignored) {
          // read-only channel: nothing to lose
        }
      }
    }
    return new ParityReport(rows, withData, skipped, bad);
  }

  private static boolean holdsSuperblock(DeviceSetDump.Chunk c, long row) {
    for (long[] s : c.stripes()) {
      long from = s[1] + row * c.stripeLen();
      long to = from + c.stripeLen();
      for (long sb : SUPERBLOCKS) if (sb < to && sb + SUPERBLOCK_SIZE > from) return true;
    }
    return false;
  }

  static byte[] xor(byte[][] strips, int w, int len) {
    byte[] p = new byte[len];
    for (int i = 0; i < w; i++) for (int b = 0; b < len; b++) p[b] ^= strips[i][b];
    return p;
  }

  /** Q by Horner's rule: ((D[w-1] * g + D[w-2]) * g + ...) * g + D[0]. */
  static byte[] gfQ(byte[][] strips, int w, int len) {
    byte[] q = new byte[len];
    for (int i = w - 1; i >= 0; i--) {
      for (int b = 0; b < len; b++) q[b] = (byte) (times2(q[b]) ^ strips[i][b]);
    }
    return q;
  }

  /** Multiplication by g = 2 in GF(2^8) modulo 0x11d. */
  private static int times2(byte v) {
    int x = (v & 0xff) << 1;
    return (x & 0x100) != 0 ? (x ^ 0x11d) : x;
  }

  private static int firstDifference(byte[] a, byte[] b) {
    return java.util.Arrays.mismatch(a, b);
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) if (x != 0) return false;
    return true;
  }

  private static void readFully(FileChannel ch, long pos, byte[] into) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(into);
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) throw new IOException("short read at " + pos);
    }
  }
}
