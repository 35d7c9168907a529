package org.jbtrfs.volume;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.jbtrfs.format.DevStatsItem;

/**
 * Reads the logical address space through the chunk map, one mirror at a time, and on a writable
 * mount rewrites a bad copy a read had to fall back from (read repair).
 */
public final class LogicalReader {
  private final ChunkMap chunks;
  private final BlockSource devices;
  private final DeviceErrors errors;

  /** Where read repair writes, and whether it may now; both set by a read-write mount. */
  private volatile BlockSink repairSink;

  private volatile BooleanSupplier repairAllowed = () -> false;

  /** A reader whose checksum failures are counted nowhere (tests of the mapping alone). */
  public LogicalReader(ChunkMap chunks, BlockSource devices) {
    this(chunks, devices, new DeviceErrors());
  }

  /** A reader that counts the checksum failures its callers report in {@code errors}. */
  public LogicalReader(ChunkMap chunks, BlockSource devices, DeviceErrors errors) {
    this.chunks = chunks;
    this.devices = devices;
    this.errors = errors;
  }

  public ChunkMap chunks() {
    return chunks;
  }

  /** How many independent copies (or parity reconstructions) exist for {@code logical}. */
  public int mirrors(long logical) throws IOException {
    return ChunkReader.numMirrors(chunks.lookup(logical));
  }

  /**
   * Where copy {@code mirror} of [logical, logical+len) lives on the devices (see {@link
   * StripeLocator}); the range may cross chunk boundaries.
   */
  public List<Placement> locate(long logical, int len, int mirror) throws IOException {
    List<Placement> out = new ArrayList<>();
    while (len > 0) {
      ChunkMapping c = chunks.lookup(logical);
      int n = (int) Math.min(len, c.end() - logical);
      out.addAll(StripeLocator.locate(c, logical, n, mirror));
      logical += n;
      len -= n;
    }
    return out;
  }

  /**
   * "devid D (PATH) physical P" for each device piece behind copy {@code mirror} of the range: what
   * a checksum failure names so the failing device can be found. Never throws: a range the chunk
   * map cannot place is reported as such.
   */
  public String describe(long logical, int len, int mirror) {
    try {
      StringBuilder b = new StringBuilder();
      for (Placement p : locate(logical, len, mirror)) {
        if (b.length() > 0) b.append(", ");
        String name = devices.deviceName(p.devid());
        b.append("devid ").append(p.devid());
        if (name != null) b.append(" (").append(name).append(')');
        b.append(" physical ").append(p.physical());
      }
      return b.toString();
    } catch (IOException | RuntimeException e) {
      return "no device location (" + e.getMessage() + ")";
    }
  }

  /**
   * Copy {@code copy} of data [logical, logical+len) failed its checksum: counts a corruption error
   * on each device the copy was read from, as the kernel does for every such sector. A parity
   * rebuild (a copy past the stored ones) came from several devices and is counted on none, as in
   * the kernel, whose rebuild reads carry no single device.
   */
  public void countCorruption(long logical, int len, int copy) {
    try {
      ChunkMapping c = chunks.lookup(logical);
      if (copy >= StoredCopies.count(c)) return;
      for (Placement p : StoredCopies.placements(c, logical, len, copy)) {
        errors.count(p.devid(), DevStatsItem.CORRUPTION_ERRS);
      }
    } catch (IOException | RuntimeException e) {
      // the read that failed names the address already; a range we cannot place counts nowhere
    }
  }

  /** Reads {@code len} bytes from copy {@code mirror}; the range may cross chunk boundaries. */
  public void read(long logical, byte[] buf, int off, int len, int mirror) throws IOException {
    while (len > 0) {
      ChunkMapping c = chunks.lookup(logical);
      int n = (int) Math.min(len, c.end() - logical);
      ChunkReader.read(
          c, devices, logical, buf, off, n, Math.min(mirror, ChunkReader.numMirrors(c) - 1));
      logical += n;
      off += n;
      len -= n;
    }
  }

  /** RAID6: the extra two-strip rebuilds of a range inside one element (see ChunkReader). */
  public int twoStripRebuilds(long logical) throws IOException {
    return ChunkReader.twoStripRebuilds(chunks.lookup(logical));
  }

  /** Two-strip rebuild {@code k} of [logical, logical+len), which lies in one element. */
  public void readTwoStripRebuild(long logical, byte[] buf, int off, int len, int k)
      throws IOException {
    ChunkReader.readTwoStripRebuild(chunks.lookup(logical), devices, logical, buf, off, len, k);
  }

  /**
   * From now on {@link #repair} writes through {@code sink} whenever {@code allowed} says so (a
   * read-write mount that is not frozen or aborted); a null sink turns read repair off.
   */
  public void repairWith(BlockSink sink, BooleanSupplier allowed) {
    repairAllowed = allowed != null ? allowed : () -> false;
    repairSink = sink;
  }

  /** Whether {@link #repair} may write now (a read-write mount, not frozen or aborted). */
  public boolean repairing() {
    return repairSink != null && repairAllowed.getAsBoolean();
  }

  /**
   * Read repair, as the kernel does after a read that had to fall back: overwrites stored copy
   * {@code copy} (for RAID5/6, 0: the data strips, whose parity the good bytes agree with) of
   * [logical, logical+len) with {@code good}, but only while this reader may write, every device of
   * the copy is present, and the copy still holds exactly the {@code bad} bytes the read saw (so
   * space freed and written again since is never touched). Returns where it wrote, or null when it
   * did not.
   */
  public String repair(
      long logical, byte[] good, int goodOff, byte[] bad, int badOff, int len, int copy)
      throws IOException {
    BlockSink sink = repairSink;
    if (sink == null || !repairAllowed.getAsBoolean()) return null;
    ChunkMapping c = chunks.lookup(logical);
    if (logical + len > c.end() || copy >= StoredCopies.count(c)) return null;
    if (!StoredCopies.present(c, devices, logical, len, copy)) return null;
    byte[] now = new byte[len];
    StoredCopies.read(c, devices, logical, now, 0, len, copy);
    if (!Arrays.equals(now, 0, len, bad, badOff, badOff + len)) return null;
    StoredCopies.write(c, sink, logical, good, goodOff, len, copy);
    return describe(logical, len, copy);
  }
}
