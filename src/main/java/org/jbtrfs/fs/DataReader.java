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
      byte[] copy = new byte[sector];
      try {
        lr.read(addr, copy, 0, sector, m);
      } catch (IOException e) {
        continue;
      }
      if (csum.verify(copy, 0, sector, sums, sumOff)) {
        LOG.warning(
            "data checksum mismatch at logical "
                + addr
                + " on "
                + where
                + (parity && m > 0
                    ? "; rebuilt from parity " + (m == 1 ? "P" : "Q")
                    : "; copy " + m + " is good"));
        System.arraycopy(copy, 0, out, outOff, sector);
        repairCopies(lr, addr, copy, badCopies);
        return;
      }
      badCopies[m] = copy;
      lr.countCorruption(addr, sector, m);
    }
    // RAID6 with two bad strips in one place: rebuild the sector with each other data column
    // counted as lost too, and keep the one rebuild that verifies.
    int pairs = lr.twoStripRebuilds(addr);
    for (int k = 0; k < pairs; k++) {
      byte[] copy = new byte[sector];
      try {
        lr.readTwoStripRebuild(addr, copy, 0, sector, k);
      } catch (IOException e) {
        continue;
      }
      if (csum.verify(copy, 0, sector, sums, sumOff)) {
        LOG.warning(
            "data checksum mismatch at logical "
                + addr
                + " on "
                + where
                + "; rebuilt from P and Q with a second bad strip in its row");
        System.arraycopy(copy, 0, out, outOff, sector);
        repairCopies(lr, addr, copy, badCopies);
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
