package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Used bytes per block group type as btrfs-progs reads them from an unmounted image (the
 * BLOCK_GROUP_ITEMs of the extent tree), plus the superblock's bytes_used. Read with the external
 * tool on purpose, so the figures do not depend on jbtrfs's own parsing.
 */
record BlockGroupUsage(long data, long metadata, long system, long superBytesUsed, int groups) {
  private static final Pattern USED =
      Pattern.compile("block group used (\\d+) chunk_objectid \\d+ flags (\\S+)");
  private static final Pattern SUPER = Pattern.compile("(?m)^bytes_used\\s+(\\d+)");

  static BlockGroupUsage of(Path image) {
    String tree =
        Cmd.run(
                List.of("btrfs", "inspect-internal", "dump-tree", "-t", "extent", image.toString()),
                null,
                300)
            .check()
            .out();
    long data = 0;
    long meta = 0;
    long sys = 0;
    int n = 0;
    Matcher m = USED.matcher(tree);
    while (m.find()) {
      long used = Long.parseLong(m.group(1));
      String flags = m.group(2);
      n++;
      if (flags.startsWith("DATA|METADATA"))
        throw new IllegalStateException("mixed block groups: " + flags);
      if (flags.startsWith("DATA")) data += used;
      else if (flags.startsWith("METADATA")) meta += used;
      else if (flags.startsWith("SYSTEM")) sys += used;
      else throw new IllegalStateException("unknown block group flags " + flags);
    }
    String sb =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", image.toString())).check().out();
    Matcher s = SUPER.matcher(sb);
    if (!s.find()) throw new IllegalStateException("no bytes_used in dump-super:\n" + sb);
    return new BlockGroupUsage(data, meta, sys, Long.parseLong(s.group(1)), n);
  }

  long total() {
    return data + metadata + system;
  }

  @Override
  public String toString() {
    return "data="
        + data
        + " metadata="
        + metadata
        + " system="
        + system
        + " (sum "
        + total()
        + ", superblock bytes_used="
        + superBytesUsed
        + ", "
        + groups
        + " block groups)";
  }
}
