package org.jbtrfs.cli;

import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.UUID;
import org.jbtrfs.scrub.ScrubSummary;

/** A scrub's report in the shape of `btrfs scrub status` (and of `scrub start -B`'s summary). */
final class ScrubReport {
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT);

  private ScrubReport() {}

  static String uuid(byte[] fsid) {
    ByteBuffer b = ByteBuffer.wrap(fsid);
    return new UUID(b.getLong(), b.getLong()).toString();
  }

  /**
   * The report. {@code fraction} (0 to 1) is how far a running scrub is, from which the time left
   * and the ETA follow; null for a scrub that is not running.
   */
  static void print(
      PrintStream out,
      long startedMillis,
      String status,
      Duration duration,
      long total,
      ScrubSummary s,
      Double fraction) {
    ZonedDateTime started = Instant.ofEpochMilli(startedMillis).atZone(ZoneId.systemDefault());
    out.println("Scrub started:    " + started.format(DATE));
    out.println("Status:           " + status);
    out.println("Duration:         " + clock(duration));
    if (status.equals("running") && fraction != null && fraction > 0 && fraction < 1) {
      Duration left = Duration.ofMillis((long) (duration.toMillis() * (1 - fraction) / fraction));
      out.println("Time left:        " + clock(left));
      out.println("ETA:              " + ZonedDateTime.now().plus(left).format(DATE));
    }
    out.println("Total to scrub:   " + HumanSize.of(total));
    if (fraction != null) {
      out.printf(
          Locale.ROOT,
          "Bytes scrubbed:   %s  (%.2f%%)%n",
          HumanSize.of(s.bytesScrubbed()),
          100 * fraction);
    }
    out.println(
        "Rate:             "
            + HumanSize.of(s.bytesScrubbed() * 1000.0 / Math.max(1, duration.toMillis()))
            + "/s");
    if (s.totalErrors() == 0) {
      out.println("Error summary:    no errors found");
      return;
    }
    StringBuilder sum = new StringBuilder("Error summary:   ");
    if (s.readErrors() > 0) sum.append(" read=").append(s.readErrors());
    if (s.superErrors() > 0) sum.append(" super=").append(s.superErrors());
    if (s.verifyErrors() > 0) sum.append(" verify=").append(s.verifyErrors());
    if (s.csumErrors() > 0) sum.append(" csum=").append(s.csumErrors());
    out.println(sum);
    out.println("  Corrected:      " + s.corrected());
    out.println("  Uncorrectable:  " + s.uncorrectable());
    out.println("  Unverified:     0");
  }

  static String clock(Duration d) {
    long secs = d.getSeconds();
    return String.format(Locale.ROOT, "%d:%02d:%02d", secs / 3600, secs / 60 % 60, secs % 60);
  }

  /**
   * One line of progress for a terminal, redrawn in place: a bar, the share done, the rate and the
   * time left.
   */
  static String bar(double fraction, long bytes, Duration running) {
    int width = 30;
    int full = (int) Math.round(fraction * width);
    double secs = Math.max(1, running.toMillis()) / 1000.0;
    String eta =
        fraction > 0 && fraction < 1
            ? clock(Duration.ofMillis((long) (running.toMillis() * (1 - fraction) / fraction)))
            : "-:--:--";
    return String.format(
        Locale.ROOT,
        "\r[%s%s] %5.1f%%  %s  %s/s  ETA %s ",
        "#".repeat(full),
        ".".repeat(width - full),
        100 * fraction,
        HumanSize.of(bytes),
        HumanSize.of((double) bytes / secs),
        eta);
  }
}
