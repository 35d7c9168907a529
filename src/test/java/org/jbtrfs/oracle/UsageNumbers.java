package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.SpaceReport;
import org.jbtrfs.volume.RaidProfile;

/**
 * The numbers of {@code btrfs filesystem usage -b} that come from the filesystem's state rather
 * than from btrfs-progs' own estimates: device size, allocated and unallocated bytes, the global
 * reserve, and each block group type's size and used bytes ("Data,RAID5" and so on). Read from a
 * kernel mount with btrfs-progs, or from an unmounted device set through jbtrfs's space report, so
 * the two can be compared as maps.
 */
final class UsageNumbers {
  private static final Pattern OVERALL =
      Pattern.compile(
          "(Device size|Device allocated|Device unallocated|Global reserve):\\s+(\\d+)");
  private static final Pattern GROUP =
      Pattern.compile(
          "(?m)^(Data|Metadata|System|Data\\+Metadata),(\\S+): Size:(\\d+), Used:(\\d+)");

  private UsageNumbers() {}

  /** From {@code btrfs filesystem usage -b} on a kernel mount. */
  static Map<String, Long> kernel(Path mountPoint) {
    String out =
        Cmd.run(List.of("btrfs", "filesystem", "usage", "-b", mountPoint.toString())).check().out();
    Map<String, Long> m = new TreeMap<>();
    Matcher o = OVERALL.matcher(out);
    while (o.find()) m.put(o.group(1), Long.parseLong(o.group(2)));
    Matcher g = GROUP.matcher(out);
    while (g.find()) {
      String key = g.group(1) + "," + g.group(2).toUpperCase();
      m.put(key + " size", Long.parseLong(g.group(3)));
      m.put(key + " used", Long.parseLong(g.group(4)));
    }
    return m;
  }

  /** The same numbers as jbtrfs computes them for an unmounted device set. */
  static Map<String, Long> jbtrfs(List<Path> images) throws IOException {
    Map<String, Long> m = new TreeMap<>();
    try (Filesystem fs = Filesystem.open(images, MountOptions.readOnlyDefaults())) {
      long size = 0;
      long allocated = 0;
      for (DevItem d : fs.devItems()) {
        size += d.totalBytes();
        allocated += d.bytesUsed();
      }
      m.put("Device size", size);
      m.put("Device allocated", allocated);
      m.put("Device unallocated", size - allocated);
      m.put("Global reserve", SpaceReport.globalReserve(fs));
      for (SpaceReport.Group g : SpaceReport.blockGroups(fs)) {
        String key =
            typeName(g.flags())
                + ","
                + RaidProfile.fromFlags(g.flags()).displayName().toUpperCase();
        m.merge(key + " size", g.length(), Long::sum);
        m.merge(key + " used", g.used(), Long::sum);
      }
    }
    return m;
  }

  /** statfs as jbtrfs computes it for an unmounted device set: {total, free, available}. */
  static long[] jbtrfsStatfs(List<Path> images) throws IOException {
    try (Filesystem fs = Filesystem.open(images, MountOptions.readOnlyDefaults())) {
      SpaceReport r = SpaceReport.compute(fs);
      return new long[] {r.totalBytes(), r.freeBytes(), r.availableBytes()};
    }
  }

  private static String typeName(long flags) {
    boolean data = (flags & BlockGroupItem.TYPE_DATA) != 0;
    boolean meta = (flags & BlockGroupItem.TYPE_METADATA) != 0;
    if (data && meta) return "Data+Metadata";
    if (data) return "Data";
    return meta ? "Metadata" : "System";
  }
}
