package org.jbtrfs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.scrub.DeviceStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `device stats`: the per-device error counters of an unmounted image set, or of a mounted
 * filesystem (jbtrfs or the kernel's) given its mountpoint.
 */
@Command(
    name = "device",
    description = "Device commands.",
    subcommands = {DeviceCommand.Stats.class})
final class DeviceCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("usage: jbtrfs device stats [-z] [-c] IMAGE...|MOUNTPOINT");
  }

  @Command(
      name = "stats",
      description =
          "Show the per-device error counters, like `btrfs device stats`: of the images given, or"
              + " live from a mounted filesystem given its mountpoint.")
  static final class Stats implements Callable<Integer> {
    /** btrfs-progs' bit in the exit status for "some counter is not zero" under -c. */
    private static final int NONZERO = 64;

    @Option(names = "-z", description = "Print the counters, then reset them to zero.")
    boolean reset;

    @Option(names = "-c", description = "Exit with 64 if any counter is not zero.")
    boolean check;

    @Parameters(
        arity = "1..*",
        description = "Every image or device of the filesystem, or its mountpoint.")
    List<Path> devices;

    @Override
    public Integer call() throws Exception {
      boolean nonZero;
      if (devices.size() == 1 && Files.isDirectory(devices.get(0))) {
        nonZero = false;
        for (Map.Entry<Long, LiveDeviceStats.Device> e :
            LiveDeviceStats.read(devices.get(0), reset).entrySet()) {
          String path = e.getValue().path();
          nonZero |= print(path.isEmpty() ? "devid:" + e.getKey() : path, e.getValue().stats());
        }
      } else if (reset) {
        try (WritableImage img =
            WritableImage.open(devices.get(0), devices.subList(1, devices.size()))) {
          Map<Long, DevStatsItem> stats = DeviceStats.read(img.fs());
          nonZero = print(img.fs(), stats);
          DeviceStats.reset(img.fs(), stats.keySet());
          img.commit();
        }
      } else {
        try (ReadOnlyImages img = ReadOnlyImages.open(devices)) {
          nonZero = print(img.fs(), DeviceStats.read(img.fs()));
        }
      }
      return check && nonZero ? NONZERO : 0;
    }

    private static boolean print(Filesystem fs, Map<Long, DevStatsItem> stats) {
      boolean nonZero = false;
      for (Map.Entry<Long, DevStatsItem> e : stats.entrySet()) {
        String name = fs.devices().deviceName(e.getKey());
        nonZero |= print(name != null ? name : "devid:" + e.getKey(), e.getValue());
      }
      return nonZero;
    }

    /** One device's lines, in btrfs-progs' layout; true when a counter is not zero. */
    private static boolean print(String dev, DevStatsItem stats) {
      boolean nonZero = false;
      for (int i = 0; i < DevStatsItem.COUNT; i++) {
        long v = stats.get(i);
        nonZero |= v != 0;
        System.out.printf("[%s].%-17s%d%n", dev, DevStatsItem.NAMES[i], v);
      }
      return nonZero;
    }
  }
}
