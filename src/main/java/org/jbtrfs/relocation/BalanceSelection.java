package org.jbtrfs.relocation;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.volume.ChunkMap;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.DevExtentCheck;
import org.jbtrfs.volume.RaidProfile;
import org.jbtrfs.volume.Stripe;

/**
 * Which block groups of a type a balance relocates, by the kernel's filters (should_balance_chunk
 * and its helpers), highest address first as the kernel walks the chunk tree.
 */
final class BalanceSelection {
  private BalanceSelection() {}

  static List<BlockGroup> select(
      Iterable<BlockGroup> groups, ChunkMap chunks, long typeFlag, BalanceFilters f)
      throws FormatException {
    List<BlockGroup> passing = new ArrayList<>();
    for (BlockGroup bg : groups) {
      if ((bg.flags() & typeFlag) == 0) continue;
      if (passes(bg, chunks.lookup(bg.start()), f)) passing.add(bg);
    }
    passing.sort(Comparator.comparingLong(BlockGroup::start).reversed());
    if (f.limit() != null) {
      if (passing.size() < f.limit()[0]) return List.of();
      long max = f.limit()[1];
      if (passing.size() > max) passing = new ArrayList<>(passing.subList(0, (int) max));
    }
    return passing;
  }

  /** Whether any group, of any type, passes {@code f}. */
  static boolean anyPassing(Iterable<BlockGroup> groups, ChunkMap chunks, BalanceFilters f)
      throws FormatException {
    for (BlockGroup bg : groups) if (passes(bg, chunks.lookup(bg.start()), f)) return true;
    return false;
  }

  static boolean passes(BlockGroup bg, ChunkMapping chunk, BalanceFilters f) {
    RaidProfile profile = RaidProfile.fromFlags(bg.flags());
    if (f.profiles() != null && !f.profiles().contains(profile)) return false;
    if (f.usage() != null && bg.used() >= usageThreshold(bg.length(), f.usage())) return false;
    if (f.usageRange() != null && !inUsageRange(bg, f.usageRange())) return false;
    if (f.devid() != null && !onDevice(chunk, f.devid(), f.drange())) return false;
    if (f.vrange() != null
        && !(Long.compareUnsigned(bg.start(), f.vrange()[1]) < 0
            && Long.compareUnsigned(bg.end(), f.vrange()[0]) > 0)) return false;
    if (f.stripes() != null
        && (chunk.numStripes() < f.stripes()[0] || chunk.numStripes() > f.stripes()[1]))
      return false;
    return !(f.soft() && f.convert() == profile);
  }

  /** usage=N: groups using less than N percent; usage=0 means empty ones only. */
  private static long usageThreshold(long length, long percent) {
    if (percent == 0) return 1;
    if (percent > 100) return length;
    return length * percent / 100;
  }

  private static boolean inUsageRange(BlockGroup bg, long[] range) {
    long min = range[0] == 0 ? 0 : bg.length() * range[0] / 100;
    long max = range[1] == 0 ? 1 : range[1] > 100 ? bg.length() : bg.length() * range[1] / 100;
    return min <= bg.used() && bg.used() < max;
  }

  /**
   * Whether the chunk has a stripe on {@code devid}, and with {@code drange} whether such a stripe
   * overlaps that range of the device (a stripe holds length / data stripes bytes).
   */
  private static boolean onDevice(ChunkMapping chunk, long devid, long[] drange) {
    long stripeLength = DevExtentCheck.stripeLength(chunk);
    for (Stripe s : chunk.stripes()) {
      if (s.devid() != devid) continue;
      if (drange == null) return true;
      if (Long.compareUnsigned(s.offset(), drange[1]) < 0
          && Long.compareUnsigned(s.offset() + stripeLength, drange[0]) > 0) return true;
    }
    return false;
  }
}
