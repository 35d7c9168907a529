package org.jbtrfs.device;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jbtrfs.format.DeviceNumbers;
import org.jbtrfs.os.FileIdentity;
import org.jbtrfs.os.LoopDevice;
import org.jbtrfs.os.MountTable;

/**
 * What the kernel does with a device or image file: the block devices that show it (the device
 * itself, or loop devices backed by the image) and, for each, a mount using it or a btrfs the
 * kernel has open on it (/sys/fs/btrfs/FSID/devices lists those even while a mount is being set up
 * or has been detached lazily).
 */
final class KernelUsers {
  private KernelUsers() {}

  /** One use: a sentence naming it, and whether it may write. */
  record Use(String description, boolean writes) {}

  /**
   * The kernel's uses of {@code target}, ignoring the block devices in {@code ours} (the loop
   * device of our own mount).
   */
  static List<Use> of(FileIdentity target, Set<FileIdentity> ours) throws IOException {
    List<FileIdentity> showing = new ArrayList<>();
    List<String> names = new ArrayList<>();
    if (target.blockDevice()) {
      showing.add(target);
      names.add("");
    } else {
      for (LoopDevice.Attached a : LoopDevice.showing(target)) {
        showing.add(a.id());
        names.add(" through " + a.device());
      }
    }
    List<Use> uses = new ArrayList<>();
    if (showing.isEmpty()) return uses;
    List<MountTable.Mount> mounts = MountTable.read();
    for (int i = 0; i < showing.size(); i++) {
      FileIdentity dev = showing.get(i);
      if (ours.contains(dev)) continue;
      boolean mounted = false;
      for (MountTable.Mount m : MountTable.bySource(mounts, dev)) {
        // Another jbtrfs daemon's block-device mount: its flock on the image speaks for it.
        if (m.type().startsWith("fuseblk.jbtrfs")) continue;
        mounted = true;
        uses.add(
            new Use(
                "mounted on "
                    + m.mountPoint()
                    + " ("
                    + m.type()
                    + (m.readOnly() ? ", read-only" : ", read-write")
                    + names.get(i)
                    + ")",
                !m.readOnly()));
      }
      String fsid = btrfsUsing(dev);
      if (!mounted && fsid != null) {
        uses.add(
            new Use("open in the kernel's btrfs (filesystem " + fsid + names.get(i) + ")", true));
      }
    }
    return uses;
  }

  /** The fsid of a btrfs the kernel has open on block device {@code dev}, or null. */
  static String btrfsUsing(FileIdentity dev) {
    Path root = Path.of("/sys/fs/btrfs");
    if (!Files.isDirectory(root)) return null;
    try (DirectoryStream<Path> fss = Files.newDirectoryStream(root)) {
      for (Path fs : fss) {
        Path devices = fs.resolve("devices");
        if (!Files.isDirectory(devices)) continue;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(devices)) {
          for (Path d : ds) {
            if (dev.dev() == deviceNumber(d.resolve("dev"))) return fs.getFileName().toString();
          }
        }
      }
    } catch (IOException e) {
      return null;
    }
    return null;
  }

  /** A sysfs "MAJ:MIN" file as a dev_t, or -1. */
  private static long deviceNumber(Path devFile) {
    try {
      String[] mm = Files.readString(devFile).strip().split(":");
      return DeviceNumbers.make(Long.parseLong(mm[0]), Long.parseLong(mm[1]));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
