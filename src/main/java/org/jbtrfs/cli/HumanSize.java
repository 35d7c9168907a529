package org.jbtrfs.cli;

import java.util.Locale;

/** Sizes as btrfs-progs prints them by default: base 1024, two decimals, "B" to "EiB". */
final class HumanSize {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

  private HumanSize() {}

  static String of(double bytes) {
    int u = 0;
    while (bytes >= 1024 && u < UNITS.length - 1) {
      bytes /= 1024;
      u++;
    }
    return String.format(Locale.ROOT, "%.2f%s", bytes, UNITS[u]);
  }

  /**
   * A size as btrfs-progs takes one: a number of bytes with an optional suffix k, m, g, t, p or e
   * (any case, "iB" or "B" after it allowed), each a power of 1024.
   */
  static long parse(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.endsWith("ib")) t = t.substring(0, t.length() - 2);
    else if (t.endsWith("b")) t = t.substring(0, t.length() - 1);
    int shift = 0;
    if (!t.isEmpty()) {
      int at = "kmgtpe".indexOf(t.charAt(t.length() - 1));
      if (at >= 0) {
        shift = 10 * (at + 1);
        t = t.substring(0, t.length() - 1);
      }
    }
    long n;
    try {
      n = Long.parseLong(t);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not a size: '" + text + "'");
    }
    if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) {
      throw new IllegalArgumentException("size out of range: '" + text + "'");
    }
    return n << shift;
  }
}
