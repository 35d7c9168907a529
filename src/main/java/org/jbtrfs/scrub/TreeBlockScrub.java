package org.jbtrfs.scrub;

import java.io.IOException;
import java.util.function.Consumer;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.tree.TreeBlock;
import org.jbtrfs.tree.TreeChecker;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.StoredCopies;

/**
 * Scrubs one tree block: every stored copy is checked for its checksum, then its header (address,
 * fsid, level, and the generation the extent tree recorded); a bad copy is rewritten from a good
 * one, or for RAID5/6 from the block rebuilt through P or Q when that verifies.
 */
final class TreeBlockScrub {
  private final ChecksumType csum;
  private final byte[] metadataUuid;
  private final int sectorSize;
  private final CopyRepair repair;
  private final ScrubCounters counters;
  private final Consumer<String> log;

  TreeBlockScrub(
      ChecksumType csum,
      byte[] metadataUuid,
      int sectorSize,
      CopyRepair repair,
      ScrubCounters counters,
      Consumer<String> log) {
    this.csum = csum;
    this.metadataUuid = metadataUuid.clone();
    this.sectorSize = sectorSize;
    this.repair = repair;
    this.counters = counters;
    this.log = log;
  }

  void scrub(ChunkMapping c, AllocatedExtent e) throws IOException {
    int len = (int) e.length();
    int copies = StoredCopies.count(c);
    byte[][] raw = new byte[copies][];
    ErrorKind[] bad = new ErrorKind[copies];
    byte[] good = null;
    for (int k = 0; k < copies; k++) {
      if (!StoredCopies.present(c, repair.devices(), e.bytenr(), len, k)) continue;
      raw[k] = new byte[len];
      try {
        StoredCopies.read(c, repair.devices(), e.bytenr(), raw[k], 0, len, k);
        bad[k] = verify(raw[k], e);
      } catch (IOException readFailed) {
        bad[k] = ErrorKind.READ;
      }
      if (bad[k] == null && good == null) good = raw[k];
      counters.treeBytes += len;
    }
    counters.treeExtents++;
    if (good == null) good = rebuilt(c, e);
    for (int k = 0; k < copies; k++) {
      if (raw[k] == null || bad[k] == null) continue;
      String at = repair.badCopy(c, e.bytenr(), len, k, bad[k], len / sectorSize, good, 0);
      if (good == null) {
        log.accept(
            "unable to fixup (regular) "
                + bad[k].summaryField
                + " error at "
                + at
                + ": tree block level "
                + e.level()
                + ", no good copy");
      }
    }
  }

  /** For RAID5/6: the block rebuilt from P, else Q, if the result verifies; otherwise null. */
  private byte[] rebuilt(ChunkMapping c, AllocatedExtent e) {
    for (int parity = 1; parity <= StoredCopies.rebuilds(c); parity++) {
      byte[] b = new byte[(int) e.length()];
      try {
        StoredCopies.rebuild(c, repair.devices(), e.bytenr(), b, 0, b.length, parity);
        if (verify(b, e) == null) return b;
      } catch (IOException unreadable) {
        // try the other parity
      }
    }
    return null;
  }

  /** Null for a good copy, else the kind of its first fault. */
  private ErrorKind verify(byte[] raw, AllocatedExtent e) {
    if (!csum.verify(raw, Superblock.CSUM_SIZE, raw.length - Superblock.CSUM_SIZE, raw, 0)) {
      return ErrorKind.CSUM;
    }
    TreeBlock block = new TreeBlock(e.bytenr(), raw);
    try {
      TreeChecker.check(block, e.bytenr(), metadataUuid, e.level());
    } catch (FormatException wrongHeader) {
      return ErrorKind.VERIFY;
    }
    return block.generation() == e.generation() ? null : ErrorKind.GENERATION;
  }
}
