package org.jbtrfs.scrub;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.Consumer;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.BlockSource;
import org.jbtrfs.volume.ChunkMapping;

/**
 * An offline scrub: for every chunk, every extent the extent tree has allocated there is read from
 * every stored copy and verified (tree blocks: checksum and header; data: the csum tree), bad
 * copies are rewritten from good ones unless read-only, and RAID5/6 parity is then checked against
 * the (repaired) data. Repairs go straight to the devices: a copy is rewritten with the very bytes
 * its good sibling holds, so no tree, checksum or superblock changes and no transaction is needed.
 */
public final class Scrubber {
  private final Filesystem fs;
  private final boolean readOnly;
  private final Consumer<String> log;

  /** {@code log} receives one line per error found, in the spirit of the kernel's scrub log. */
  public Scrubber(Filesystem fs, boolean readOnly, Consumer<String> log) {
    this.fs = fs;
    this.readOnly = readOnly;
    this.log = log;
  }

  public ScrubSummary run() throws IOException {
    long started = System.nanoTime();
    Superblock sb = fs.superblock();
    Tree extentTree = fs.treeOf(ObjectIds.EXTENT_TREE);
    if (extentTree == null) throw new FormatException("no extent tree: nothing says what to scrub");
    ScrubCounters counters = new ScrubCounters();
    // Scrub counts what it finds per sector, as the kernel's does, so its reads are not counted
    // again by the device layer; its repair writes are.
    BlockSource source = fs.devices().uncountedReads();
    CopyRepair repair = new CopyRepair(source, readOnly ? null : fs.devices(), counters, log);
    DamagedFiles damaged = new DamagedFiles(fs, extentTree, log);
    TreeBlockScrub trees =
        new TreeBlockScrub(
            sb.checksumType(), sb.metadataUuid(), sb.sectorSize(), repair, counters, log);
    DataExtentScrub data =
        new DataExtentScrub(
            fs.csumTree(), sb.checksumType(), sb.sectorSize(), repair, counters, damaged);
    ParityScrub parity =
        new ParityScrub(source, readOnly ? null : fs.devices(), sb.sectorSize(), counters, log);
    new SuperblockScrub(sb, counters, log).scrub(fs.devices().all());
    for (ChunkMapping c : List.copyOf(fs.chunks().all())) {
      long lostBefore = counters.uncorrectable;
      long errorsBefore = counters.totalErrors();
      ParityScrub.Rows rows = c.profile().hasParity() ? new ParityScrub.Rows() : null;
      for (AllocatedExtent e :
          AllocatedExtents.in(extentTree, c.logical(), c.end(), sb.nodeSize())) {
        if (e.treeBlock()) trees.scrub(c, e);
        else data.scrub(c, e);
        if (rows != null) rows.add(c, e, sb.sectorSize());
      }
      // Parity is judged against the data as it should be: a read-only scrub that found bad data
      // here left it on disk, so the comparison would blame good parity.
      boolean dataAsItShouldBe = !readOnly || counters.totalErrors() == errorsBefore;
      if (rows != null && dataAsItShouldBe) {
        parity.check(c, rows, counters.uncorrectable == lostBefore);
      }
    }
    if (!readOnly) fs.devices().flushAll();
    List<String> paths = new ArrayList<>();
    for (DamagedFiles.Damage d : damaged.found()) paths.add(d.path());
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
        List.copyOf(new LinkedHashSet<>(paths)),
        Duration.ofNanos(System.nanoTime() - started));
  }
}
