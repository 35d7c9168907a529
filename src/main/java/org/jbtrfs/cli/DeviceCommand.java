package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jbtrfs.device.Device;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.device.FileDevice;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.format.Le;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.os.ErrnoValues;
import org.jbtrfs.replace.DeviceAdd;
import org.jbtrfs.scrub.DeviceStats;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `device stats`: the per-device error counters of an unmounted image set, or of a mounted
 * filesystem (jbtrfs or the kernel's) given its mountpoint.
 */
@Command(
    name = "device",
    description = "Device commands.",
    subcommands = {DeviceCommand.Stats.class, DeviceCommand.Add.class, DeviceCommand.Remove.class})
final class DeviceCommand implements Runnable {
  @Override
  public void run() {
    System.err.println("usage: jbtrfs device stats [-z] [-c] IMAGE...|MOUNTPOINT");
    System.err.println("       jbtrfs device add [-f] DEV... MOUNTPOINT|IMAGE [--device IMAGE]...");
    System.err.println(
        "       jbtrfs device remove DEV|DEVID|missing... MOUNTPOINT|IMAGE [--device IMAGE]...");
  }

  @Command(
      name = "add",
      description =
          "Add devices to a filesystem, like `btrfs device add`: to a mounted jbtrfs filesystem"
              + " given its mountpoint, or to an unmounted one given its image (and --device for"
              + " its other images). Nothing moves onto them until new chunks are allocated; a"
              + " balance spreads what is there already.")
  static final class Add implements Callable<Integer> {
    /** _IOW('j', 8, 4096): see fuse.DeviceAddIoctl. */
    private static final long ADD = 0x50006a08L;

    @Option(
        names = {"-f", "--force"},
        description = "Overwrite a device that holds a filesystem.")
    boolean force;

    @Mixin ExtraDevices others = new ExtraDevices();

    @Parameters(
        arity = "2..*",
        description = "The devices to add, then the mountpoint or an image of the filesystem.")
    List<Path> args;

    @Override
    public Integer call() throws Exception {
      Path where = args.get(args.size() - 1);
      List<Path> added = args.subList(0, args.size() - 1);
      if (Files.isDirectory(where)) {
        for (Path dev : added) live(where, dev);
        return 0;
      }
      try (WritableImage img = WritableImage.open(where, others.list);
          DeviceClaims claim = DeviceClaims.claim(added, false)) {
        List<Device> opened = new ArrayList<>();
        try {
          for (Path p : added) {
            Device d = FileDevice.open(p, true);
            opened.add(d);
            DeviceAdd.check(img.fs(), d, force);
          }
        } catch (IOException | RuntimeException e) {
          for (Device d : opened) d.close();
          throw e;
        }
        for (Device d : opened) DeviceAdd.add(img.engine(), d);
        img.commit();
      }
      return 0;
    }

    private void live(Path mnt, Path dev) throws IOException {
      byte[] arg = new byte[4096];
      Le.put64(arg, 0, force ? 1 : 0);
      byte[] name = dev.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8);
      if (name.length > arg.length - 9) throw new IllegalArgumentException("path too long: " + dev);
      System.arraycopy(name, 0, arg, 8, name.length);
      try (LiveIoctl io = new LiveIoctl(mnt)) {
        io.call(ADD, arg, "device add");
      } catch (LiveIoctl.Failed e) {
        String why =
            switch (e.errno) {
              case ErrnoValues.EEXIST ->
                  dev
                      + " appears to contain an existing filesystem (btrfs); use -f to overwrite"
                      + " it";
              case ErrnoValues.EINVAL -> dev + " is too small to add (1 MiB or less)";
              case ErrnoValues.EBUSY ->
                  dev
                      + " is in use, or a replace or scrub is running (the daemon's log says"
                      + " which)";
              default -> e.getMessage();
            };
        throw new IOException("error adding device '" + dev + "': " + why, e);
      }
    }
  }

  @Command(
      name = "remove",
      aliases = "delete",
      description =
          "Remove devices from a filesystem, like `btrfs device remove`: each named by its path,"
              + " its devid, or \"missing\"; their chunks move to the other devices first. Of a"
              + " mounted jbtrfs filesystem given its mountpoint, or of an unmounted one given an"
              + " image (and --device for its other images; the device to remove among them, or,"
              + " for \"missing\", left out).")
  static final class Remove implements Callable<Integer> {
    /** _IOW('j', 10, 4096): see fuse.DeviceRemoveIoctl. */
    private static final long REMOVE = 0x50006a0aL;

    @Mixin ExtraDevices others = new ExtraDevices();

    @Parameters(
        arity = "2..*",
        description = "The devices to remove, then the mountpoint or an image of the filesystem.")
    List<String> args;

    @Override
    public Integer call() throws Exception {
      Path where = Path.of(args.get(args.size() - 1));
      List<String> removed = args.subList(0, args.size() - 1);
      if (Files.isDirectory(where)) {
        for (String dev : removed) live(where, dev);
        return 0;
      }
      // Removing "missing" is the one thing a filesystem with a device gone is opened for here,
      // as the kernel's `device remove missing` needs a degraded mount.
      boolean degraded = removed.contains("missing");
      try (WritableImage img =
          degraded
              ? WritableImage.openDegraded(where, others.list)
              : WritableImage.open(where, others.list)) {
        org.jbtrfs.relocation.Balance.Transactions tx = img.transactions();
        for (String dev : removed) {
          long devid;
          try {
            devid = org.jbtrfs.relocation.DeviceSelector.devid(img.fs(), dev);
            Device gone = org.jbtrfs.relocation.DeviceRemoval.remove(tx, devid, null);
            if (gone != null) gone.close();
          } catch (IllegalArgumentException e) {
            throw new IOException("error removing device '" + dev + "': " + e.getMessage(), e);
          }
        }
      }
      return 0;
    }

    private void live(Path mnt, String dev) throws IOException {
      byte[] arg = new byte[4096];
      String name =
          dev.matches("[0-9]+") || dev.equals("missing")
              ? dev
              : Path.of(dev).toAbsolutePath().toString();
      byte[] b = name.getBytes(StandardCharsets.UTF_8);
      if (b.length > arg.length - 1) throw new IllegalArgumentException("path too long: " + dev);
      System.arraycopy(b, 0, arg, 0, b.length);
      try (LiveIoctl io = new LiveIoctl(mnt)) {
        io.call(REMOVE, arg, "device remove");
      } catch (LiveIoctl.Failed e) {
        String why =
            switch (e.errno) {
              case ErrnoValues.EINVAL ->
                  "not a member, or too few devices would be left (the daemon's log says which)";
              case ErrnoValues.EBUSY -> "a scrub, replace or balance is running";
              case ErrnoValues.ENOSPC -> "No space left on device";
              case ErrnoValues.ENOENT ->
                  dev.equals("missing")
                      ? "no missing devices found to remove"
                      : "No such file or directory";
              default -> e.getMessage();
            };
        throw new IOException("error removing device '" + dev + "': " + why, e);
      }
    }
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
