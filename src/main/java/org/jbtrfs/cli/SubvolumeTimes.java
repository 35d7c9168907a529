package org.jbtrfs.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Times and uuids as btrfs-progs prints them in `subvolume list` and `show`. */
final class SubvolumeTimes {
  private static final DateTimeFormatter LIST = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final DateTimeFormatter SHOW =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss Z");

  private SubvolumeTimes() {}

  /** Local time, "-" for none (seconds 0). */
  static String format(long seconds, boolean withZone) {
    if (seconds == 0) return "-";
    var t = Instant.ofEpochSecond(seconds).atZone(ZoneId.systemDefault());
    return (withZone ? SHOW : LIST).format(t);
  }

  static String uuidOrDash(byte[] u) {
    return java.util.Arrays.equals(u, new byte[16]) ? "-" : DumpSuperCommand.uuid(u);
  }
}
