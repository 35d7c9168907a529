package org.jbtrfs.relocation;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.jbtrfs.volume.RaidProfile;

/**
 * The filters of one block group type in a balance, as `btrfs balance start -d<filters>` writes
 * them (comma separated): profiles=P|Q, usage=N or usage=MIN..MAX (percent), devid=N,
 * drange=START..END (needs devid), vrange=START..END, limit=N or limit=MIN..MAX, stripes=MIN..MAX,
 * convert=PROFILE, soft. Ranges take an open end ("N.." or "..M"). What each means is the kernel's
 * (see {@link BalanceSelection}).
 */
public record BalanceFilters(
    Set<RaidProfile> profiles,
    Long usage,
    long[] usageRange,
    Long devid,
    long[] drange,
    long[] vrange,
    long[] limit,
    long[] stripes,
    RaidProfile convert,
    boolean soft) {

  /** No filter: every group of the type. */
  public static final BalanceFilters NONE =
      new BalanceFilters(null, null, null, null, null, null, null, null, null, false);

  /** Parses the text after -d, -m or -s (empty: no filter). */
  public static BalanceFilters parse(String text) {
    if (text == null || text.isEmpty()) return NONE;
    Set<RaidProfile> profiles = null;
    Long usage = null;
    long[] usageRange = null;
    Long devid = null;
    long[] drange = null;
    long[] vrange = null;
    long[] limit = null;
    long[] stripes = null;
    RaidProfile convert = null;
    boolean soft = false;
    for (String part : text.split(",")) {
      int eq = part.indexOf('=');
      String name = eq < 0 ? part : part.substring(0, eq);
      String value = eq < 0 ? null : part.substring(eq + 1);
      switch (name) {
        case "profiles" -> {
          profiles = EnumSet.noneOf(RaidProfile.class);
          for (String p : need(name, value).split("\\|")) profiles.add(profile(p));
        }
        case "usage" -> {
          if (need(name, value).contains("..")) usageRange = range(name, value, 0, 100);
          else usage = number(name, value);
        }
        case "devid" -> devid = number(name, need(name, value));
        case "drange" -> drange = range(name, need(name, value), 0, -1L);
        case "vrange" -> vrange = range(name, need(name, value), 0, -1L);
        case "limit" -> {
          if (need(name, value).contains("..")) limit = range(name, value, 0, Integer.MAX_VALUE);
          else limit = new long[] {0, number(name, value)};
        }
        case "stripes" -> {
          if (need(name, value).contains("..")) stripes = range(name, value, 0, Integer.MAX_VALUE);
          else stripes = new long[] {number(name, value), number(name, value)};
        }
        case "convert" -> convert = profile(need(name, value));
        case "soft" -> soft = true;
        default -> throw new IllegalArgumentException("unrecognized balance option: " + part);
      }
    }
    if (drange != null && devid == null) {
      throw new IllegalArgumentException("balance filter drange requires devid");
    }
    if (soft && convert == null) {
      throw new IllegalArgumentException("balance filter soft requires convert");
    }
    return new BalanceFilters(
        profiles, usage, usageRange, devid, drange, vrange, limit, stripes, convert, soft);
  }

  private static String need(String name, String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("the " + name + " filter requires an argument");
    }
    return value;
  }

  private static long number(String name, String value) {
    try {
      long v = Long.parseUnsignedLong(value);
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid " + name + " argument: " + value);
    }
  }

  private static long[] range(String name, String value, long min, long max) {
    int dots = value.indexOf("..");
    if (dots < 0) throw new IllegalArgumentException("invalid " + name + " range: " + value);
    String a = value.substring(0, dots);
    String b = value.substring(dots + 2);
    long lo = a.isEmpty() ? min : number(name, a);
    long hi = b.isEmpty() ? max : number(name, b);
    if (Long.compareUnsigned(lo, hi) > 0) {
      throw new IllegalArgumentException("invalid " + name + " range: " + value);
    }
    return new long[] {lo, hi};
  }

  static RaidProfile profile(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    for (RaidProfile p : RaidProfile.values()) if (p.displayName().equals(n)) return p;
    throw new IllegalArgumentException("unknown profile: " + name);
  }
}
