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
}
