package org.jbtrfs.fs;

import java.io.IOException;
import java.util.Arrays;
import java.util.logging.Logger;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.volume.LogicalReader;

/**
 * Reads data extents with checksum verification. A sector whose checksum fails is re-read from the
 * other mirrors (or rebuilt from parity); when every copy is bad the read fails with an error that
 * names the logical address. Nothing unverified is returned unless the inode is nodatasum.
 */
public final class DataReader {
  private static final Logger LOG = Logger.getLogger(DataReader.class.getName());

  private final Filesystem fs;
  private final ExtentCache decompressed;

  DataReader(Filesystem fs, long cacheBytes) {
    this.fs = fs;
    this.decompressed = new ExtentCache(cacheBytes);
  }

  private volatile DataOverlay overlay;

  ExtentCache decompressedCache() {
    return decompressed;
  }

  /**
   * Forgets what is cached of extents overlapping [start, start+len): the range was just given to a
   * new extent.
   */
  public void forgetExtents(long start, long len) {
    decompressed.forget(start, len);
  }

  /** Makes data written back but not yet on the devices visible to every read. */
  public void setOverlay(DataOverlay overlay) {
    this.overlay = overlay;
  }

  /** Reads {@code len} bytes at sector-aligned {@code logical}, verifying when {@code verify}. */
  public void read(long logical, byte[] out, int off, int len, boolean verify) throws IOException {
    int sector = fs.sectorSize();
    if (!Align.isAligned(logical, sector) || !Align.isAligned(len, sector)) {
      throw new IllegalArgumentException("unaligned data read " + logical + "+" + len);
    }
    LogicalReader lr = fs.logical();
    DataOverlay o = overlay;
    // Whatever is still on its way to the devices comes from memory: taken before the devices
    // are read, so a sector whose write completes meanwhile is read after it landed.
    byte[] pending = null;
    boolean[] inMemory = null;
    if (o != null && o.overlaps(logical, len)) {
      pending = new byte[len];
      inMemory = o.copy(logical, pending, 0, len, sector);
      if (inMemory != null && allSet(inMemory)) {
        System.arraycopy(pending, 0, out, off, len);
        return;
      }
    }
    int used = readAnyCopy(lr, logical, out, off, len);
    if (inMemory != null) {
      for (int i = 0; i < inMemory.length; i++)
        if (inMemory[i]) System.arraycopy(pending, i * sector, out, off + i * sector, sector);
    }
    if (!verify) return;
    ChecksumType csum = fs.superblock().checksumType();
    int sectors = len / sector;
    int csize = csum.size();
    byte[] sums = new byte[sectors * csize];
    boolean[] present = new boolean[sectors];
    ChecksumLookup.fill(fs.csumTree(), logical, sectors, sector, csize, sums, present);
    for (int i = 0; i < sectors; i++) {
      long addr = logical + (long) i * sector;
      if (inMemory != null && inMemory[i]) continue; // the very bytes its checksum was made of
      if (!present[i]) {
        String msg = "no data checksum for logical " + addr;
        LOG.severe(msg);
        throw new FormatException(msg);
      }
      if (csum.verify(out, off + i * sector, sector, sums, i * csize)) continue;
      repairSector(lr, csum, addr, used, out, off + i * sector, sums, i * csize);
    }
  }

  private static boolean allSet(boolean[] flags) {
    for (boolean f : flags) if (!f) return false;
    return true;
  }

  /**
   * Reads the first copy whose devices are present and returns its number; checksums are checked by
   * the caller.
   */
  private static int readAnyCopy(LogicalReader lr, long logical, byte[] out, int off, int len)
      throws IOException {
    int mirrors = lr.mirrors(logical);
    IOException first = null;
    for (int m = 0; m < mirrors; m++) {
      try {
        lr.read(logical, out, off, len, m);
        return m;
      } catch (IOException e) {
        if (first == null) first = e;
      }
    }
    LOG.severe(
        "data at logical "
            + logical
            + " unreadable from all "
            + mirrors
            + " copies: "
            + first.getMessage());
    throw first;
  }

  /**
   * Sector {@code addr} read from copy {@code bad} failed its checksum: tries the other copies (for
   * RAID5/6, the rebuilds from P and from Q) and takes the first that verifies. Each failure is
   * logged with the logical address and the device and physical offset the bad bytes came from.
   */
  private void repairSector(
      LogicalReader lr,
      ChecksumType csum,
      long addr,
      int bad,
      byte[] out,
      int outOff,
      byte[] sums,
      int sumOff)
      throws IOException {
    int sector = fs.sectorSize();
    int mirrors = lr.mirrors(addr);
    boolean parity = lr.chunks().lookup(addr).profile().hasParity();
    String where = lr.describe(addr, sector, bad);
    // What each copy that read but failed its checksum held, for read repair.
    byte[][] badCopies = new byte[mirrors][];
    badCopies[bad] = Arrays.copyOfRange(out, outOff, outOff + sector);
    lr.countCorruption(addr, sector, bad);
    for (int m = 0; m < mirrors; m++) {
      if (m == bad) continue;
      int mirror = m;
      Attempt a =
          readVerified(csum, sums, sumOff, sector, buf -> lr.read(addr, buf, 0, sector, mirror));
      if (a != null && a.good()) {
        String how =
            parity && m > 0
                ? "rebuilt from parity " + (m == 1 ? "P" : "Q")
                : "copy " + m + " is good";
        useGood(lr, addr, where, how, a.bytes(), out, outOff, badCopies);
        return;
      }
      if (a != null) {
        badCopies[m] = a.bytes();
        lr.countCorruption(addr, sector, m);
      }
    }
    // RAID6 with two bad strips in one place: rebuild the sector with each other data column
    // counted as lost too, and keep the one rebuild that verifies.
    int pairs = lr.twoStripRebuilds(addr);
    for (int k = 0; k < pairs; k++) {
      int pair = k;
      Attempt a =
          readVerified(
              csum,
              sums,
              sumOff,
              sector,
              buf -> lr.readTwoStripRebuild(addr, buf, 0, sector, pair));
      if (a != null && a.good()) {
        String how = "rebuilt from P and Q with a second bad strip in its row";
        useGood(lr, addr, where, how, a.bytes(), out, outOff, badCopies);
        return;
      }
    }
    String msg =
        "data checksum mismatch at logical "
            + addr
            + " on all "
            + mirrors
            + " copies (read from "
            + where
            + ")";
    LOG.severe(msg);
    throw new FormatException(msg);
  }

  /** The good bytes found {@code how} serve the read, and rewrite the copies found bad. */
  private void useGood(
      LogicalReader lr,
      long addr,
      String where,
      String how,
      byte[] good,
      byte[] out,
      int outOff,
      byte[][] badCopies) {
    LOG.warning("data checksum mismatch at logical " + addr + " on " + where + "; " + how);
    System.arraycopy(good, 0, out, outOff, good.length);
    repairCopies(lr, addr, good, badCopies);
  }

  /** One way to get a sector's bytes (a copy or a rebuild) into a buffer. */
  private interface SectorRead {
    void into(byte[] buf) throws IOException;
  }

  /** A sector read one way: its bytes, and whether they match their checksum. */
  private record Attempt(byte[] bytes, boolean good) {}

  /** Reads a sector one way; null when it cannot be read at all. */
  private static Attempt readVerified(
      ChecksumType csum, byte[] sums, int sumOff, int sector, SectorRead read) {
    byte[] buf = new byte[sector];
    try {
      read.into(buf);
    } catch (IOException e) {
      return null;
    }
    return new Attempt(buf, csum.verify(buf, 0, sector, sums, sumOff));
  }

  /**
   * Read repair: the copies of sector {@code addr} that failed their checksum get the {@code good}
   * bytes written over them (see LogicalReader#repair; a no-op unless the mount is read-write). A
   * failed repair is logged; the read has its good bytes either way.
   */
  private void repairCopies(LogicalReader lr, long addr, byte[] good, byte[][] badCopies) {
    for (int m = 0; m < badCopies.length; m++) {
      if (badCopies[m] == null) continue;
      try {
        String at = lr.repair(addr, good, 0, badCopies[m], 0, good.length, m);
        if (at != null) LOG.warning("data at logical " + addr + ": read repair rewrote " + at);
      } catch (IOException | RuntimeException e) {
        LOG.warning("data at logical " + addr + ": read repair of copy " + m + " failed: " + e);
      }
    }
  }
}
