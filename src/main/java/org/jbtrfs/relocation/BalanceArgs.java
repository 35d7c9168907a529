package org.jbtrfs.relocation;

import java.util.EnumSet;
import java.util.Set;
import org.jbtrfs.format.BalanceItem;
import org.jbtrfs.volume.RaidProfile;

/** Filters to and from the balance item's per-type arguments, as the kernel stores them. */
final class BalanceArgs {
  private BalanceArgs() {}

  static BalanceItem item(Balance.Request r) {
    long flags = 0;
    if (r.data() != null) flags |= BalanceItem.DATA;
    if (r.metadata() != null) flags |= BalanceItem.METADATA;
    if (r.system() != null) flags |= BalanceItem.SYSTEM;
    if (r.force()) flags |= BalanceItem.FORCE;
    return new BalanceItem(flags, args(r.data()), args(r.metadata()), args(r.system()));
  }

  static Balance.Request request(BalanceItem item) {
    return new Balance.Request(
        (item.flags() & BalanceItem.DATA) != 0 ? filters(item.data()) : null,
        (item.flags() & BalanceItem.METADATA) != 0 ? filters(item.metadata()) : null,
        (item.flags() & BalanceItem.SYSTEM) != 0 ? filters(item.system()) : null,
        (item.flags() & BalanceItem.FORCE) != 0);
  }

  private static BalanceItem.Args args(BalanceFilters f) {
    if (f == null) f = BalanceFilters.NONE;
    long flags = 0;
    long profiles = 0;
    if (f.profiles() != null) {
      flags |= BalanceItem.Args.PROFILES;
      for (RaidProfile p : f.profiles()) profiles |= bits(p);
    }
    long usage = 0;
    if (f.usage() != null) {
      flags |= BalanceItem.Args.USAGE;
      usage = f.usage();
    } else if (f.usageRange() != null) {
      flags |= BalanceItem.Args.USAGE_RANGE;
      usage = pair(f.usageRange());
    }
    long devid = 0;
    if (f.devid() != null) {
      flags |= BalanceItem.Args.DEVID;
      devid = f.devid();
    }
    long[] d = f.drange() == null ? new long[2] : f.drange();
    if (f.drange() != null) flags |= BalanceItem.Args.DRANGE;
    long[] v = f.vrange() == null ? new long[2] : f.vrange();
    if (f.vrange() != null) flags |= BalanceItem.Args.VRANGE;
    long target = 0;
    if (f.convert() != null) {
      flags |= BalanceItem.Args.CONVERT;
      target = bits(f.convert());
    }
    if (f.soft()) flags |= BalanceItem.Args.SOFT;
    long limit = 0;
    if (f.limit() != null) {
      if (f.limit()[0] == 0) {
        flags |= BalanceItem.Args.LIMIT;
        limit = f.limit()[1];
      } else {
        flags |= BalanceItem.Args.LIMIT_RANGE;
        limit = pair(f.limit());
      }
    }
    int smin = 0;
    int smax = 0;
    if (f.stripes() != null) {
      flags |= BalanceItem.Args.STRIPES_RANGE;
      smin = (int) f.stripes()[0];
      smax = (int) f.stripes()[1];
    }
    return new BalanceItem.Args(
        flags, profiles, usage, devid, d[0], d[1], v[0], v[1], target, limit, smin, smax);
  }

  private static BalanceFilters filters(BalanceItem.Args a) {
    Set<RaidProfile> profiles = null;
    if ((a.flags() & BalanceItem.Args.PROFILES) != 0) {
      profiles = EnumSet.noneOf(RaidProfile.class);
      for (RaidProfile p : RaidProfile.values()) if ((a.profiles() & bits(p)) != 0) profiles.add(p);
    }
    return new BalanceFilters(
        profiles,
        (a.flags() & BalanceItem.Args.USAGE) != 0 ? a.usage() : null,
        (a.flags() & BalanceItem.Args.USAGE_RANGE) != 0 ? unpair(a.usage()) : null,
        (a.flags() & BalanceItem.Args.DEVID) != 0 ? a.devid() : null,
        (a.flags() & BalanceItem.Args.DRANGE) != 0 ? new long[] {a.pstart(), a.pend()} : null,
        (a.flags() & BalanceItem.Args.VRANGE) != 0 ? new long[] {a.vstart(), a.vend()} : null,
        (a.flags() & BalanceItem.Args.LIMIT) != 0
            ? new long[] {0, a.limit()}
            : (a.flags() & BalanceItem.Args.LIMIT_RANGE) != 0 ? unpair(a.limit()) : null,
        (a.flags() & BalanceItem.Args.STRIPES_RANGE) != 0
            ? new long[] {
              Integer.toUnsignedLong(a.stripesMin()), Integer.toUnsignedLong(a.stripesMax())
            }
            : null,
        (a.flags() & BalanceItem.Args.CONVERT) != 0 ? profileOf(a.target()) : null,
        (a.flags() & BalanceItem.Args.SOFT) != 0);
  }

  private static long bits(RaidProfile p) {
    return p == RaidProfile.SINGLE ? BalanceItem.SINGLE : p.flag();
  }

  private static RaidProfile profileOf(long target) {
    return target == BalanceItem.SINGLE ? RaidProfile.SINGLE : RaidProfile.fromFlags(target);
  }

  private static long pair(long[] range) {
    return (range[0] & 0xffffffffL) | (Math.min(range[1], 0xffffffffL) << 32);
  }

  private static long[] unpair(long v) {
    return new long[] {v & 0xffffffffL, v >>> 32};
  }
}
