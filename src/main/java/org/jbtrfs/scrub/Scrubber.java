package org.jbtrfs.scrub;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongUnaryOperator;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.BlockSource;
import org.jbtrfs.volume.ChunkMapping;

/**
 * A scrub: for every chunk, every extent the extent tree has allocated there is read from every
 * stored copy and verified (tree blocks: checksum and header; data: the csum tree), bad copies are
 * rewritten from good ones unless read-only, and RAID5/6 parity is then checked against the
 * (repaired) data. Repairs go straight to the devices: a copy is rewritten with the very bytes its
 * good sibling holds, so no tree, checksum or superblock changes and no transaction is needed.
 *
 * <p>The pass goes in steps ({@link #step}), each a run of extents in logical order that ends
 * between two RAID5/6 rows, so a live mount can scrub a step at a time while nothing commits (what
 * the committed extent tree holds then keeps its bytes on disk), pause between steps, and stop and
 * resume at {@link #position()}. What it finds goes into the devices' error counters as it goes, as
 * the kernel's scrub counts them.
 */
public final class Scrubber {
  private final Filesystem fs;
  private final boolean readOnly;
  private final Consumer<String> log;
  private final ScrubCounters counters;
  private final CopyRepair repair;
  private final ParityScrub parity;
  private final List<String> damagedPaths = new ArrayList<>();
  private long position;

  /** The extent the position lies inside (a step ended in it), or -1. */
  private long inside = -1;

  private boolean superblocksDone;
  private long nanos;

  /** {@code log} receives one line per error found, in the spirit of the kernel's scrub log. */
  public Scrubber(Filesystem fs, boolean readOnly, Consumer<String> log) {
    this.fs = fs;
    this.readOnly = readOnly;
    this.log = log;
    this.counters = new ScrubCounters(fs.devices().errors());
    // Scrub counts what it finds per sector, as the kernel's does, so its reads are not counted
    // again by the device layer; its repair writes are.
    BlockSource source = fs.devices().uncountedReads();
    this.repair = new CopyRepair(source, readOnly ? null : fs.devices(), counters, log);
    this.parity =
        new ParityScrub(source, readOnly ? null : fs.devices(), fs.sectorSize(), counters, log);
  }

  /** The whole pass at once (offline, where nothing else uses the filesystem). */
  public ScrubSummary run() throws IOException {
    while (step(Long.MAX_VALUE)) {}
    return summary();
  }

  /** Starts the pass at logical address {@code logical} instead of the beginning (resume). */
  public void startAt(long logical) {
    position = logical;
    inside = -1;
    superblocksDone = true;
  }

  /**
   * Whether the next step reads the superblocks first: a live mount runs that step while no commit
   * is writing them, since a copy read in the middle of its rewrite looks bad.
   */
  public boolean superblocksNext() {
    return !superblocksDone;
  }

  /** Where the next step begins: everything below this logical address has been scrubbed. */
  public long position() {
    return position;
  }

  /**
   * Scrubs the next run of at least {@code bytes} of allocated extents (fewer at a chunk's end,
   * more to finish a RAID5/6 row), as the committed trees have them now. Returns false when the
   * pass is complete.
   */
  public boolean step(long bytes) throws IOException {
    long started = System.nanoTime();
    try {
      Superblock sb = fs.superblock();
      if (!superblocksDone) {
        new SuperblockScrub(sb, counters, log).scrub(fs.devices().all());
        superblocksDone = true;
      }
      ChunkMapping c = nextChunk();
      if (c == null) return false;
      Tree extentTree = fs.treeOf(ObjectIds.EXTENT_TREE);
      if (extentTree == null)
        throw new FormatException("no extent tree: nothing says what to scrub");
      long from = Math.max(position, c.logical());
      AllocatedExtents.Run run =
          AllocatedExtents.run(
              extentTree,
              from,
              from == position ? inside : -1,
              c.end(),
              sb.nodeSize(),
              bytes,
              stepBoundary(c, sb.sectorSize()));
      long repairsBefore = counters.corrected + counters.parityRewritten;
      scrub(c, run.pieces(), extentTree, sb);
      position = run.next();
      inside = run.inside();
      // Repairs are made durable at once; a step that repaired nothing has nothing to flush.
      if (!readOnly && counters.corrected + counters.parityRewritten != repairsBefore) {
        fs.devices().flushAll();
      }
      return true;
    } finally {
      nanos += System.nanoTime() - started;
    }
  }

  /**
   * Where a step may end: at a sector, and in a RAID5/6 chunk only between rows (a row is the data
   * strips of one full stripe, whose parity is checked against all of them).
   */
  private static LongUnaryOperator stepBoundary(ChunkMapping c, int sectorSize) {
    if (!c.profile().hasParity()) return a -> Align.up(a, sectorSize);
    long row = c.stripeLen() * (c.numStripes() - c.profile().nparity());
    return a -> c.logical() + Align.up(a - c.logical(), row);
  }

  private void scrub(
      ChunkMapping c, List<AllocatedExtents.Piece> pieces, Tree extentTree, Superblock sb)
      throws IOException {
    long lostBefore = counters.uncorrectable;
    long errorsBefore = counters.totalErrors();
    DamagedFiles damaged = new DamagedFiles(fs, extentTree, log);
    TreeBlockScrub trees =
        new TreeBlockScrub(
            sb.checksumType(), sb.metadataUuid(), sb.sectorSize(), repair, counters, log);
    DataExtentScrub data =
        new DataExtentScrub(
            fs.csumTree(), sb.checksumType(), sb.sectorSize(), repair, counters, damaged);
    ParityScrub.Rows rows = c.profile().hasParity() ? new ParityScrub.Rows() : null;
    for (AllocatedExtents.Piece p : pieces) {
      if (p.extent().treeBlock()) trees.scrub(c, p.extent());
      else data.scrub(c, p.extent(), p.from(), p.to());
      if (rows != null) rows.add(c, p.from(), p.to(), sb.sectorSize());
    }
    // Parity is judged against the data as it should be: a read-only scrub that found bad data
    // here left it on disk, so the comparison would blame good parity. A step holds whole rows.
    boolean dataAsItShouldBe = !readOnly || counters.totalErrors() == errorsBefore;
    if (rows != null && dataAsItShouldBe) {
      parity.check(c, rows, counters.uncorrectable == lostBefore);
    }
    for (DamagedFiles.Damage d : damaged.found()) damagedPaths.add(d.path());
  }

  /** The first chunk that ends past the position (chunks may come and go between steps). */
  private ChunkMapping nextChunk() {
    ChunkMapping best = null;
    for (ChunkMapping c : fs.chunks().all()) {
      if (Long.compareUnsigned(c.end(), position) <= 0) continue;
      if (best == null || Long.compareUnsigned(c.logical(), best.logical()) < 0) best = c;
    }
    return best;
  }

  /**
   * How far the pass is, in logical bytes of chunk space: {done, total}. Progress by address, as
   * that is what the remaining steps will cover (the bytes scrubbed count only allocated extents,
   * and each copy of them).
   */
  public long[] progress() {
    long done = 0;
    long total = 0;
    for (ChunkMapping c : fs.chunks().all()) {
      total += c.length();
      if (Long.compareUnsigned(position, c.end()) >= 0) done += c.length();
      else if (Long.compareUnsigned(position, c.logical()) > 0) done += position - c.logical();
    }
    return new long[] {done, total};
  }

  /** What the pass has found so far (all of it once {@link #step} returned false). */
  public ScrubSummary summary() {
    return new ScrubSummary(
        counters.treeExtents,
        counters.treeBytes,
        counters.dataExtents,
        counters.dataBytes,
        counters.readErrors,
        counters.superErrors,
        counters.csumErrors,
        counters.verifyErrors,
        counters.corrected,
        counters.uncorrectable,
        counters.parityRewritten,
        counters.deviceErrors(),
        List.copyOf(new LinkedHashSet<>(damagedPaths)),
        Duration.ofNanos(nanos));
  }
}
