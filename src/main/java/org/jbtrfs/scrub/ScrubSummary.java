package org.jbtrfs.scrub;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The result of a scrub, in the fields `btrfs scrub status` reports, plus what lost data. */
public record ScrubSummary(
    long treeExtents,
    long treeBytes,
    long dataExtents,
    long dataBytes,
    long readErrors,
    long superErrors,
    long csumErrors,
    long verifyErrors,
    long corrected,
    long uncorrectable,
    long parityRewritten,
    Map<Long, long[]> deviceErrors,
    List<String> damagedPaths,
    Duration duration) {

  public long totalErrors() {
    return readErrors + superErrors + csumErrors + verifyErrors;
  }

  public long bytesScrubbed() {
    return treeBytes + dataBytes;
  }
}
