package org.jbtrfs.scrub;

import java.io.IOException;
import java.util.function.Consumer;
import org.jbtrfs.volume.BlockSink;
import org.jbtrfs.volume.BlockSource;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Placement;
import org.jbtrfs.volume.StoredCopies;

/**
 * The shared last step for tree blocks and data sectors: count one bad copy of a range and, when a
 * good version is known and the scrub may write, overwrite that copy (only that copy) with it.
 */
final class CopyRepair {
  private final BlockSource devices;
  private final BlockSink sink;
  private final ScrubCounters counters;
  private final Consumer<String> log;

  /** {@code sink} null: a read-only scrub, which counts and reports but never writes. */
  CopyRepair(BlockSource devices, BlockSink sink, ScrubCounters counters, Consumer<String> log) {
    this.devices = devices;
    this.sink = sink;
    this.counters = counters;
    this.log = log;
  }

  BlockSource devices() {
    return devices;
  }

  /**
   * Copy {@code copy} of [logical, logical+len) is bad for {@code kind}; {@code good} (null when no
   * copy is good) holds the right bytes at {@code goodOff}. Returns the device piece's description
   * for messages.
   */
  String badCopy(
      ChunkMapping c,
      long logical,
      int len,
      int copy,
      ErrorKind kind,
      int sectors,
      byte[] good,
      int goodOff)
      throws IOException {
    Placement where = StoredCopies.placements(c, logical, len, copy).get(0);
    counters.error(kind, where.devid(), sectors, good != null);
    String dev = devices.deviceName(where.devid());
    String at =
        "logical "
            + logical
            + " on dev "
            + (dev != null ? dev : "devid " + where.devid())
            + " physical "
            + where.physical();
    if (good != null && sink != null) {
      StoredCopies.write(c, sink, logical, good, goodOff, len, copy);
      log.accept("fixed up " + kind.summaryField + " error at " + at);
    } else if (good != null) {
      log.accept(kind.summaryField + " error at " + at + " (repairable; read-only scrub)");
    }
    return at;
  }
}
