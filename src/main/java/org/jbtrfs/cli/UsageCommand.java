package org.jbtrfs.cli;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.SpaceReport;
import org.jbtrfs.space.BlockReserve;
import org.jbtrfs.space.SpaceCounters;
import org.jbtrfs.space.SpaceInfo;
import org.jbtrfs.space.SpaceManager;
import org.jbtrfs.space.SpaceSnapshot;
import org.jbtrfs.volume.RaidProfile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Space by block group type and profile, device allocation, and what statfs reports. */
@Command(name = "usage", description = "Show space usage, like `btrfs filesystem usage`.")
final class UsageCommand implements Callable<Integer> {
  @Mixin ImageArgs image;

  @Override
  public Integer call() throws Exception {
    try (Filesystem fs = image.open()) {
      Map<String, long[]> byType = new TreeMap<>();
      for (SpaceReport.Group g : SpaceReport.blockGroups(fs)) {
        String key = typeName(g.flags()) + "," + RaidProfile.fromFlags(g.flags()).displayName();
        long[] v = byType.computeIfAbsent(key, k -> new long[2]);
        v[0] += g.length();
        v[1] += g.used();
      }
      long devSize = 0;
      long devUsed = 0;
      for (DevItem d : fs.devItems()) {
        devSize += d.totalBytes();
        devUsed += d.bytesUsed();
      }
      System.out.printf(
          "Overall:%n    Device size:\t\t%,d%n    Device allocated:\t\t%,d%n"
              + "    Device unallocated:\t\t%,d%n    Global reserve:\t\t%,d%n%n",
          devSize, devUsed, devSize - devUsed, SpaceReport.globalReserve(fs));
      for (Map.Entry<String, long[]> e : byType.entrySet()) {
        long[] v = e.getValue();
        System.out.printf(
            "%s: Size:%,d, Used:%,d (%.2f%%)%n",
            e.getKey(), v[0], v[1], v[0] == 0 ? 0 : 100.0 * v[1] / v[0]);
      }
      SpaceManager space = SpaceSnapshot.of(fs);
      System.out.printf(
          "%n%-16s %16s %16s %16s %16s %16s %16s%n",
          "Space info", "total", "used", "reserved", "pinned", "may_use", "readonly");
      for (SpaceInfo si : space.infos()) {
        SpaceCounters c = si.counters();
        System.out.printf(
            "%-16s %,16d %,16d %,16d %,16d %,16d %,16d%n",
            c.name(), c.total(), c.used(), c.reserved(), c.pinned(), c.mayUse(), c.readonly());
      }
      BlockReserve g = space.globalReserve();
      if (g != null)
        System.out.printf("Global reserve: size %,d, reserved %,d%n", g.size(), g.reserved());
      SpaceReport r = SpaceReport.compute(fs);
      System.out.printf(
          "%nstatfs: total %,d, free %,d, available %,d%n",
          r.totalBytes(), r.freeBytes(), r.availableBytes());
    }
    return 0;
  }

  private static String typeName(long flags) {
    StringBuilder sb = new StringBuilder();
    if ((flags & BlockGroupItem.TYPE_DATA) != 0) sb.append("Data");
    if ((flags & BlockGroupItem.TYPE_METADATA) != 0)
      sb.append(sb.length() > 0 ? "+Metadata" : "Metadata");
    if ((flags & BlockGroupItem.TYPE_SYSTEM) != 0) sb.append("System");
    return sb.toString();
  }
}
