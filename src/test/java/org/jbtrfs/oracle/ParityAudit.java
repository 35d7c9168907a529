package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Recomputes P (and Q) of every row of every RAID5/6 chunk from the data strips on the device
 * images and lists the rows whose stored parity differs. Needed because the kernel's scrub does not
 * report a wrong parity: it rewrites it silently and still says "no errors found". The chunk layout
 * comes from btrfs-progs ({@link DeviceSetDump}), the math is written out here (XOR, and the RAID6
 * syndrome over GF(2^8) with generator 2 and polynomial 0x11d), so nothing of jbtrfs checks itself.
 * Rows nobody wrote are zeros on sparse images, and zeros have zero parity; rows holding a
 * superblock copy are skipped.
 */
final class ParityAudit {
  private static final int STRIPE = 64 << 10;
  private static final int ROWS_PER_READ = 16;

  /** Superblock copies on every device: 64 KiB, 64 MiB, 256 GiB. */
  private static final long[] SUPERS = {64L << 10, 64L << 20, 256L << 30};

  private ParityAudit() {}

  /**
   * @param chunks the chunk tree of the set, from btrfs-progs
   * @param images the device images, devid i being images[i-1] (mkfs numbers them in order)
   * @return one line per bad row (at most 20), empty when every parity matches its data
   */
  static List<String> badRows(DeviceSetDump chunks, List<Path> images) {
    List<String> bad = new ArrayList<>();
    List<FileChannel> devs = new ArrayList<>();
    try {
      for (Path p : images) devs.add(FileChannel.open(p, StandardOpenOption.READ));
      for (DeviceSetDump.Chunk c : chunks.chunks) {
        String type = c.type().toUpperCase();
        int parity = type.contains("RAID6") ? 2 : type.contains("RAID5") ? 1 : 0;
        if (parity > 0) audit(c, parity, devs, bad);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (FileChannel ch : devs) {
        try {
          ch.close();
        } catch (IOException e) {
          System.err.println("warning: " + e);
        }
      }
    }
    return bad;
  }

  /** Row r: data element i on chunk stripe (i + r) % n, P after the data, Q after P. */
  private static void audit(
      DeviceSetDump.Chunk c, int parity, List<FileChannel> devs, List<String> bad)
      throws IOException {
    int n = c.stripes().size();
    int nd = n - parity;
    long rows = c.length() / nd / STRIPE;
    byte[][] strips = new byte[n][ROWS_PER_READ * STRIPE];
    for (long r0 = 0; r0 < rows && bad.size() < 20; r0 += ROWS_PER_READ) {
      int count = (int) Math.min(ROWS_PER_READ, rows - r0);
      for (int s = 0; s < n; s++) {
        long[] stripe = c.stripes().get(s);
        read(devs.get((int) stripe[0] - 1), stripe[1] + r0 * STRIPE, strips[s], count * STRIPE);
      }
      for (int k = 0; k < count; k++) {
        long row = r0 + k;
        if (holdsSuperblock(c, row)) continue;
        String what = checkRow(strips, k * STRIPE, row, n, nd, parity);
        if (what != null) {
          bad.add(
              c.type()
                  + " chunk "
                  + c.logical()
                  + " row "
                  + row
                  + ": "
                  + what
                  + " "
                  + roles(strips, k * STRIPE, row, n, nd));
        }
      }
    }
  }

  /**
   * A row with a superblock copy in one of its strips is never written through the chunk (the
   * kernel and jbtrfs keep the whole row out of the block group's free space), so its parity covers
   * nothing and does not include the superblock, which is written to the device directly.
   */
  private static boolean holdsSuperblock(DeviceSetDump.Chunk c, long row) {
    for (long[] stripe : c.stripes()) {
      long start = stripe[1] + row * STRIPE;
      for (long sb : SUPERS) if (sb >= start && sb < start + STRIPE) return true;
    }
    return false;
  }

  private static String checkRow(byte[][] strips, int at, long row, int n, int nd, int parity) {
    int rot = (int) (row % n);
    byte[] pStored = strips[(nd + rot) % n];
    byte[] qStored = parity > 1 ? strips[(nd + 1 + rot) % n] : null;
    for (int b = 0; b < STRIPE; b++) {
      int p = 0;
      int q = 0;
      // Horner from the last data element down: Q = sum of 2^i * D_i.
      for (int i = nd - 1; i >= 0; i--) {
        int d = strips[(i + rot) % n][at + b] & 0xff;
        p ^= d;
        q = times2(q) ^ d;
      }
      if (p != (pStored[at + b] & 0xff)) return "P differs at byte " + b + " of the row's strip";
      if (qStored != null && q != (qStored[at + b] & 0xff)) {
        return "Q differs at byte " + b + " of the row's strip";
      }
    }
    return null;
  }

  /**
   * Which strips of the row hold anything but zeros: tells a lost data write from a lost parity.
   */
  private static String roles(byte[][] strips, int at, long row, int n, int nd) {
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < n; i++) {
      String role = i < nd ? "D" + i : i == nd ? "P" : "Q";
      int dev = (int) ((i + row) % n);
      boolean zero = true;
      for (int x = 0; x < STRIPE && zero; x++) zero = strips[dev][at + x] == 0;
      b.append(i == 0 ? "" : " ").append(role).append(zero ? ":zero" : ":data");
    }
    return b.append(")").toString();
  }

  private static int times2(int v) {
    v <<= 1;
    return (v & 0x100) != 0 ? (v ^ 0x11d) & 0xff : v;
  }

  private static void read(FileChannel ch, long pos, byte[] into, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(into, 0, len);
    while (buf.hasRemaining()) {
      int got = ch.read(buf, pos + buf.position());
      if (got < 0) {
        // Past the end of a sparse file reads as zeros, as the device would.
        java.util.Arrays.fill(into, buf.position(), len, (byte) 0);
        return;
      }
    }
  }
}
