package org.jbtrfs.scrub;

import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.volume.DeviceErrors;

/**
 * What a scrub found, counted per sector of each copy as the kernel counts: a 16 KiB tree block
 * with a bad checksum is four csum errors on a 4 KiB-sector filesystem. Also the device error
 * counters each bad copy raises, by devid, which also go straight into the filesystem's live
 * counters (a commit writes them).
 */
final class ScrubCounters {
  long treeExtents;
  long treeBytes;
  long dataExtents;
  long dataBytes;
  long readErrors;
  long csumErrors;
  long verifyErrors;

  /** Bad superblock copies: counted apart, neither corrected nor uncorrectable, as the kernel. */
  long superErrors;

  long corrected;
  long uncorrectable;

  /** Sectors of RAID5/6 parity rewritten to match their data (not errors, as for the kernel). */
  long parityRewritten;

  private final Map<Long, long[]> deviceErrors = new TreeMap<>();

  /** The filesystem's live counters, which get every device error as it is found. */
  private final DeviceErrors live;

  ScrubCounters(DeviceErrors live) {
    this.live = live;
  }

  /** {@code sectors} bad sectors of one copy on device {@code devid}; fixed if {@code good}. */
  void error(ErrorKind kind, long devid, long sectors, boolean repairable) {
    switch (kind.summaryField) {
      case "read" -> readErrors += sectors;
      case "csum" -> csumErrors += sectors;
      default -> verifyErrors += sectors;
    }
    if (repairable) corrected += sectors;
    else uncorrectable += sectors;
    deviceErrors.computeIfAbsent(devid, d -> new long[DevStatsItem.COUNT])[kind.devStat] += sectors;
    live.add(devid, kind.devStat, sectors);
  }

  /** A bad superblock copy on device {@code devid}: one error, and one device counter. */
  void superError(ErrorKind kind, long devid) {
    superErrors++;
    deviceErrors.computeIfAbsent(devid, d -> new long[DevStatsItem.COUNT])[kind.devStat]++;
    live.count(devid, kind.devStat);
  }

  long totalErrors() {
    return readErrors + superErrors + csumErrors + verifyErrors;
  }

  /** Counter increments by devid, in DEV_STATS order; devices without errors are absent. */
  Map<Long, long[]> deviceErrors() {
    return deviceErrors;
  }
}
