package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.format.Le;
import org.jbtrfs.os.ErrnoValues;
import org.jbtrfs.os.Libc;

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

  /** One device: its path ("" when missing) and its counters in DEV_STATS order. */
  record Device(String path, DevStatsItem stats) {}

  private LiveDeviceStats() {}

  /** Every device by devid; with {@code reset}, each device's counters are zeroed once read. */
  static Map<Long, Device> read(Path mount, boolean reset) throws IOException {
    Libc libc = Libc.load();
    int fd = libc.open(mount.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
    if (fd < 0)
      throw new IOException("cannot open '" + mount + "': " + Libc.describe(Libc.errno()));
    try {
      byte[] fsInfo = new byte[1024];
      call(libc, fd, FS_INFO, fsInfo, mount, "FS_INFO");
      long maxId = Le.u64(fsInfo, 0);
      Map<Long, Device> out = new TreeMap<>();
      for (long devid = 1; devid <= maxId; devid++) {
        byte[] info = new byte[4096];
        Le.put64(info, 0, devid);
        if (libc.ioctl(fd, DEV_INFO, info) < 0) {
          if (Libc.errno() == ErrnoValues.ENODEV) continue; // a devid no device has now
          throw failure(mount, "DEV_INFO", Libc.errno());
        }
        byte[] stats = new byte[1032];
        Le.put64(stats, 0, devid);
        Le.put64(stats, 8, DevStatsItem.COUNT);
        Le.put64(stats, 16, reset ? RESET : 0);
        call(libc, fd, GET_DEV_STATS, stats, mount, "GET_DEV_STATS");
        long[] v = new long[DevStatsItem.COUNT];
        int n = (int) Math.min(Le.u64(stats, 8), DevStatsItem.COUNT);
        for (int i = 0; i < n; i++) v[i] = Le.u64(stats, 24 + i * 8);
        out.put(devid, new Device(cString(info, DEV_INFO_PATH), new DevStatsItem(v)));
      }
      return out;
    } finally {
      libc.close(fd);
    }
  }

  private static void call(Libc libc, int fd, long cmd, byte[] arg, Path mount, String name)
      throws IOException {
    if (libc.ioctl(fd, cmd, arg) < 0) throw failure(mount, name, Libc.errno());
  }

  private static IOException failure(Path mount, String name, int errno) {
    String why = name + " on '" + mount + "': " + Libc.describe(errno);
    if (errno == ErrnoValues.ENOTTY) why += " (not a btrfs or jbtrfs filesystem)";
    return new IOException(why);
  }

  private static String cString(byte[] b, int off) {
    int end = off;
    while (end < b.length && b[end] != 0) end++;
    return new String(b, off, end - off, StandardCharsets.UTF_8);
  }
}
