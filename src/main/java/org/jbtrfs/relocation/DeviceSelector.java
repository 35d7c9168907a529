package org.jbtrfs.relocation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.fs.Filesystem;

/** Which member a `device remove` argument names: a devid, "missing", or the device's path. */
public final class DeviceSelector {
  private DeviceSelector() {}

  public static long devid(Filesystem fs, String arg) throws IOException {
    if (arg.matches("[0-9]+")) return Long.parseLong(arg);
    if (arg.equals("missing")) {
      for (DevItem d : fs.devItems()) if (!fs.devices().present(d.devid())) return d.devid();
      throw new IllegalArgumentException("no missing devices found to remove");
    }
    Path want = Path.of(arg);
    for (Map.Entry<Long, Device> e : fs.devices().all().entrySet()) {
      if (same(want, Path.of(e.getValue().name()))) return e.getKey();
    }
    throw new IllegalArgumentException(arg + " is not a device of this filesystem");
  }

  private static boolean same(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (IOException e) {
      return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }
  }
}
