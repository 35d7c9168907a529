package org.jbtrfs.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.txn.DeviceResize;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `filesystem resize`: grow a device of a mounted filesystem or of an unmounted image set. */
@Command(
    name = "filesystem",
    description = "Filesystem commands.",
    subcommands = {FilesystemCommand.Resize.class})
final class FilesystemCommand implements Runnable {
  /** _IOW(0x94, 3, struct btrfs_ioctl_vol_args). */
  private static final long RESIZE = 0x50009403L;

  @Override
  public void run() {
    System.err.println("usage: jbtrfs filesystem resize [DEVID:](max|[+]SIZE) MOUNTPOINT|IMAGE...");
  }

  @Command(
      name = "resize",
      description =
          "Grow a device to SIZE or to the end of its storage (max), like `btrfs filesystem"
              + " resize`: through a mountpoint (a jbtrfs or kernel mount), or on the images of an"
              + " unmounted filesystem. Shrinking needs relocation and is refused.")
  static final class Resize implements Callable<Integer> {
    @Parameters(index = "0", description = "[DEVID:](max|[+|-]SIZE[kmgt]); devid 1 by default.")
    String spec;

    @Parameters(index = "1..*", arity = "1..*", description = "The mountpoint, or every image.")
    List<Path> where;

    @Override
    public Integer call() throws Exception {
      DeviceResize r = DeviceResize.parse(spec);
      if (where.size() == 1 && Files.isDirectory(where.get(0))) {
        byte[] arg = new byte[4096];
        byte[] s = spec.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(s, 0, arg, 8, Math.min(s.length, arg.length - 9));
        System.out.println("Resize device id " + r.devid() + " (" + spec + ")");
        try (LiveIoctl io = new LiveIoctl(where.get(0))) {
          io.call(RESIZE, arg, "resize");
        }
        return 0;
      }
      try (WritableImage img = WritableImage.open(where.get(0), where.subList(1, where.size()))) {
        Device dev = img.fs().devices().get(r.devid());
        DevItem item =
            img.engine().devItems().stream()
                .filter(d -> d.devid() == r.devid())
                .findFirst()
                .orElseThrow(
                    () -> new IllegalArgumentException("no device with devid " + r.devid()));
        if (dev == null) throw new IllegalArgumentException("devid " + r.devid() + " is missing");
        long size = r.newSize(item.totalBytes(), dev.size(), img.fs().sectorSize());
        if (size > dev.size()) {
          throw new IllegalArgumentException(
              "new size " + size + " is past the end of " + dev.name() + " (" + dev.size() + ")");
        }
        System.out.println(
            "Resize device id " + r.devid() + " from " + item.totalBytes() + " to " + size);
        if (size < item.totalBytes()) {
          org.jbtrfs.relocation.DeviceShrink.shrink(img.transactions(), r.devid(), size, null);
        } else {
          img.engine().growDevice(r.devid(), size);
          img.commit();
        }
      }
      return 0;
    }
  }
}
