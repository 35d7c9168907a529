package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.format.Le;
import org.jbtrfs.os.ErrnoValues;

/**
 * The error counters of a mounted filesystem's devices, asked of the mount with the kernel's ioctls
 * (FS_INFO for the highest devid, DEV_INFO for each device's path, GET_DEV_STATS for its counters)
 * as btrfs-progs asks them: a jbtrfs daemon answers them, and so does a kernel mount.
 */
final class LiveDeviceStats {
  private static final long FS_INFO = 0x8400941fL;
  private static final long DEV_INFO = 0xd000941eL;
  private static final long GET_DEV_STATS = 0xc4089434L;
  private static final int DEV_INFO_PATH = 3072;
  private static final long RESET = 1;

  /** One device: its path ("" when missing), bytes allocated, and counters in DEV_STATS order. */
  record Device(String path, long bytesUsed, DevStatsItem stats) {}

  private LiveDeviceStats() {}

  /** Every device by devid; with {@code reset}, each device's counters are zeroed once read. */
  static Map<Long, Device> read(Path mount, boolean reset) throws IOException {
    try (LiveIoctl io = new LiveIoctl(mount)) {
      byte[] fsInfo = new byte[1024];
      io.call(FS_INFO, fsInfo, "FS_INFO");
      long maxId = Le.u64(fsInfo, 0);
      Map<Long, Device> out = new TreeMap<>();
      for (long devid = 1; devid <= maxId; devid++) {
        byte[] info = new byte[4096];
        Le.put64(info, 0, devid);
        try {
          io.call(DEV_INFO, info, "DEV_INFO");
        } catch (LiveIoctl.Failed e) {
          if (e.errno == ErrnoValues.ENODEV) continue; // a devid no device has now
          throw e;
        }
        byte[] stats = new byte[1032];
        Le.put64(stats, 0, devid);
        Le.put64(stats, 8, DevStatsItem.COUNT);
        Le.put64(stats, 16, reset ? RESET : 0);
        io.call(GET_DEV_STATS, stats, "GET_DEV_STATS");
        long[] v = new long[DevStatsItem.COUNT];
        int n = (int) Math.min(Le.u64(stats, 8), DevStatsItem.COUNT);
        for (int i = 0; i < n; i++) v[i] = Le.u64(stats, 24 + i * 8);
        out.put(
            devid,
            new Device(
                LiveIoctl.cString(info, DEV_INFO_PATH), Le.u64(info, 24), new DevStatsItem(v)));
      }
      return out;
    }
  }

  /** The filesystem's fsid, from FS_INFO. */
  static byte[] fsid(Path mount) throws IOException {
    try (LiveIoctl io = new LiveIoctl(mount)) {
      byte[] fsInfo = new byte[1024];
      io.call(FS_INFO, fsInfo, "FS_INFO");
      return java.util.Arrays.copyOfRange(fsInfo, 16, 32);
    }
  }
}
