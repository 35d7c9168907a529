package org.jbtrfs.volume;

import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Logger;
import org.jbtrfs.format.DevStatsItem;

/**
 * The per-device error counters a mount keeps, as the kernel keeps them in memory: loaded from the
 * device tree at mount, raised by the read, write and flush errors of the devices and by data
 * checksum failures, and written back to the device tree by the next commit after they changed.
 * Errors are rare, so one lock guards everything.
 */
public final class DeviceErrors {
  private static final Logger LOG = Logger.getLogger(DeviceErrors.class.getName());

  private final Map<Long, long[]> counters = new TreeMap<>();

  /** Devices whose counters changed since the last {@link #takeChanged()}. */
  private final Map<Long, Boolean> changed = new TreeMap<>();

  /** Names for the log line, by devid; may be empty. */
  private final Map<Long, String> names = new TreeMap<>();

  /** Sets a device's counters as the device tree holds them (not a change to write back). */
  public synchronized void load(long devid, long[] values) {
    if (values.length != DevStatsItem.COUNT) throw new IllegalArgumentException("need 5 counters");
    counters.put(devid, values.clone());
  }

  /** The name the log line gives the device (its path, as the kernel's "bdev /dev/..."). */
  public synchronized void name(long devid, String name) {
    if (name != null) names.put(devid, name);
  }

  /**
   * Counts one error of {@code kind} (a DevStatsItem index) on {@code devid} and logs the device's
   * counters in the kernel's wording, so a user searching for it finds what it means.
   */
  public void count(long devid, int kind) {
    add(devid, kind, 1);
  }

  /** Counts {@code n} errors of {@code kind} on {@code devid} (a scrub's findings). */
  public void add(long devid, int kind, long n) {
    if (n <= 0) return;
    long[] v;
    String name;
    synchronized (this) {
      v = counters.computeIfAbsent(devid, d -> new long[DevStatsItem.COUNT]);
      v[kind] += n;
      changed.put(devid, true);
      v = v.clone();
      name = names.getOrDefault(devid, "devid " + devid);
    }
    LOG.warning(line(name, v));
  }

  /** "bdev NAME errs: wr 0, rd 1, flush 0, corrupt 0, gen 0": the kernel's line for a device. */
  public static String line(String name, long[] v) {
    return "bdev "
        + name
        + " errs: wr "
        + v[DevStatsItem.WRITE_ERRS]
        + ", rd "
        + v[DevStatsItem.READ_ERRS]
        + ", flush "
        + v[DevStatsItem.FLUSH_ERRS]
        + ", corrupt "
        + v[DevStatsItem.CORRUPTION_ERRS]
        + ", gen "
        + v[DevStatsItem.GENERATION_ERRS];
  }

  /** A device's counters now (all zeros for a device never counted or loaded). */
  public synchronized long[] get(long devid) {
    long[] v = counters.get(devid);
    return v == null ? new long[DevStatsItem.COUNT] : v.clone();
  }

  /** Returns a device's counters and sets them to zero (`device stats -z`), a change to write. */
  public synchronized long[] getAndReset(long devid) {
    long[] before = get(devid);
    counters.put(devid, new long[DevStatsItem.COUNT]);
    changed.put(devid, true);
    return before;
  }

  public synchronized boolean anyChanged() {
    return !changed.isEmpty();
  }

  /**
   * The counters of every device that changed since the last call, to be written by the commit
   * under way; a change counted after this call waits for the next commit.
   */
  public synchronized Map<Long, long[]> takeChanged() {
    Map<Long, long[]> out = new TreeMap<>();
    for (long devid : changed.keySet()) out.put(devid, get(devid));
    changed.clear();
    return out;
  }
}
