package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbtrfs.format.Le;
import org.jbtrfs.scrub.ScrubSummary;

/** The client side of a jbtrfs daemon's scrub ioctls (see the daemon's ScrubIoctls). */
final class LiveScrubClient {
  private static final long START = 0x40186a02L;
  private static final long STATUS = 0x90006a03L;
  private static final long CANCEL = 0x00006a04L;
  private static final int FAILURE_AT = 256;
  private static final int PATHS_AT = 768;

  /** The daemon's LiveScrub.State, by ordinal. */
  static final String[] STATES = {"none", "running", "finished", "aborted", "failed"};

  /** A scrub's status as the daemon reports it. */
  record Status(
      String state,
      boolean readOnly,
      long startedMillis,
      Duration elapsed,
      long limit,
      long done,
      long total,
      ScrubSummary summary,
      String failure) {
    boolean running() {
      return state.equals("running");
    }

    /** Fraction of the chunk space behind the scrub, 0 to 1. */
    double fraction() {
      return total == 0 ? 1 : Math.min(1, (double) done / total);
    }
  }

  private LiveScrubClient() {}

  static void start(Path mount, boolean readOnly, long limit, boolean resume) throws IOException {
    byte[] arg = new byte[24];
    Le.put64(arg, 0, (readOnly ? 1 : 0) | (resume ? 2 : 0));
    Le.put64(arg, 8, limit);
    try (LiveIoctl io = new LiveIoctl(mount)) {
      io.call(START, arg, resume ? "scrub resume" : "scrub start");
    }
  }

  static void cancel(Path mount) throws IOException {
    try (LiveIoctl io = new LiveIoctl(mount)) {
      io.call(CANCEL, "scrub cancel");
    }
  }

  static Status status(Path mount) throws IOException {
    byte[] b = new byte[4096];
    try (LiveIoctl io = new LiveIoctl(mount)) {
      io.call(STATUS, b, "scrub status");
    }
    int state = (int) Le.u64(b, 0);
    long[] c = new long[12];
    for (int i = 0; i < c.length; i++) c[i] = Le.u64(b, 56 + i * 8);
    List<String> paths = new ArrayList<>();
    for (int at = PATHS_AT; at < b.length && b[at] != 0; ) {
      String p = LiveIoctl.cString(b, at);
      paths.add(p);
      at += p.getBytes(StandardCharsets.UTF_8).length + 1;
    }
    Duration running = Duration.ofMillis(Le.u64(b, 24));
    ScrubSummary summary =
        new ScrubSummary(
            c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], Map.of(), paths,
            running);
    return new Status(
        state >= 0 && state < STATES.length ? STATES[state] : "unknown",
        Le.u64(b, 8) != 0,
        Le.u64(b, 16),
        running,
        Le.u64(b, 32),
        Le.u64(b, 40),
        Le.u64(b, 48),
        summary,
        LiveIoctl.cString(b, FAILURE_AT));
  }
}
