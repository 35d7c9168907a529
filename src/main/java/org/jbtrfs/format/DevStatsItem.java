package org.jbtrfs.format;

import java.util.Arrays;

/**
 * A device's persistent error counters: the device tree item keyed (DEV_STATS_OBJECTID,
 * PERSISTENT_ITEM, devid) holding little-endian u64 counters in the kernel's order (write, read,
 * flush, corruption, generation). The kernel accepts a shorter item (older kernels wrote fewer
 * counters) and reads the missing ones as zero, so parsing does too.
 */
public record DevStatsItem(long[] values) {
  public static final long OBJECTID = 0;
  public static final int WRITE_ERRS = 0;
  public static final int READ_ERRS = 1;
  public static final int FLUSH_ERRS = 2;
  public static final int CORRUPTION_ERRS = 3;
  public static final int GENERATION_ERRS = 4;
  public static final int COUNT = 5;
  public static final int SIZE = COUNT * 8;

  /** The names `btrfs device stats` prints, in counter order. */
  public static final String[] NAMES = {
    "write_io_errs", "read_io_errs", "flush_io_errs", "corruption_errs", "generation_errs"
  };

  public DevStatsItem {
    if (values.length != COUNT) throw new IllegalArgumentException("need " + COUNT + " counters");
    values = values.clone();
  }

  public static DevStatsItem zero() {
    return new DevStatsItem(new long[COUNT]);
  }

  public static Key key(long devid) {
    return new Key(OBJECTID, ItemType.PERSISTENT_ITEM, devid);
  }

  public static DevStatsItem parse(byte[] b, int off, int size) {
    long[] v = new long[COUNT];
    for (int i = 0; i < COUNT && (i + 1) * 8 <= size; i++) v[i] = Le.u64(b, off + i * 8);
    return new DevStatsItem(v);
  }

  public byte[] encode() {
    byte[] b = new byte[SIZE];
    for (int i = 0; i < COUNT; i++) Le.put64(b, i * 8, values[i]);
    return b;
  }

  public long get(int counter) {
    return values[counter];
  }

  /** These counters plus {@code more}'s. */
  public DevStatsItem plus(long[] more) {
    long[] v = values.clone();
    for (int i = 0; i < COUNT; i++) v[i] += more[i];
    return new DevStatsItem(v);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DevStatsItem d && Arrays.equals(values, d.values);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values);
  }

  @Override
  public long[] values() {
    return values.clone();
  }
}
