package org.jbtrfs.txn;

import java.util.Locale;
import org.jbtrfs.format.Align;

/**
 * The size argument of `btrfs filesystem resize`, as the kernel's resize ioctl reads it: {@code
 * [devid:](max|[+|-]N[kmgtpe])}, devid 1 when none is given, the result rounded down to the sector
 * size.
 */
public record DeviceResize(long devid, String amount) {
  /** Parses {@code spec}; an IllegalArgumentException names what is wrong. */
  public static DeviceResize parse(String spec) {
    String s = spec.trim();
    long devid = 1;
    int colon = s.indexOf(':');
    if (colon >= 0) {
      try {
        devid = Long.parseLong(s.substring(0, colon));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad devid in resize argument '" + spec + "'");
      }
      s = s.substring(colon + 1);
    }
    if (s.isEmpty())
      throw new IllegalArgumentException("no size in resize argument '" + spec + "'");
    return new DeviceResize(devid, s);
  }

  /**
   * The new size of a device now {@code current} bytes long on storage of {@code deviceSize} bytes:
   * "max" is the storage's size; "+N"/"-N" change the current size; "N" is absolute.
   */
  public long newSize(long current, long deviceSize, int sectorSize) {
    long size;
    String a = amount.toLowerCase(Locale.ROOT);
    if (a.equals("max")) {
      size = deviceSize;
    } else {
      int sign = a.startsWith("+") ? 1 : a.startsWith("-") ? -1 : 0;
      long n = bytes(sign != 0 ? a.substring(1) : a);
      size = sign == 0 ? n : current + sign * n;
    }
    if (size <= 0) throw new IllegalArgumentException("resize to " + size + " bytes");
    return Align.down(size, sectorSize);
  }

  private long bytes(String a) {
    int shift = 0;
    String digits = a;
    if (!a.isEmpty()) {
      int at = "kmgtpe".indexOf(a.charAt(a.length() - 1));
      if (at >= 0) {
        shift = 10 * (at + 1);
        digits = a.substring(0, a.length() - 1);
      }
    }
    try {
      long n = Long.parseLong(digits);
      if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) throw new NumberFormatException();
      return n << shift;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad size '" + amount + "' in resize argument");
    }
  }
}
