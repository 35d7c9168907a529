package org.jbtrfs.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.device.FileDevice;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Superblock;

/** Opens the devices of one filesystem and picks the newest valid superblock copy on each. */
public final class DeviceScanner {
  private static final Logger LOG = Logger.getLogger(DeviceScanner.class.getName());

  private DeviceScanner() {}

  /** A device and the best superblock found on it. */
  public record Scanned(Device device, Superblock superblock) {}

  public static Scanned scan(Path path, boolean writable) throws IOException {
    Device dev = FileDevice.open(path, writable);
    try {
      return new Scanned(dev, bestSuperblock(dev));
    } catch (IOException | RuntimeException e) {
      dev.close();
      throw e;
    }
  }

  /** Reads every mirror that fits on the device; the valid one with the highest generation wins. */
  public static Superblock bestSuperblock(Device dev) throws IOException {
    Superblock best = null;
    List<String> problems = new ArrayList<>();
    for (long off : Superblock.MIRROR_OFFSETS) {
      if (off + Superblock.SIZE > dev.size()) break;
      byte[] raw = new byte[Superblock.SIZE];
      try {
        dev.read(off, raw, 0, raw.length);
        Superblock sb = Superblock.parse(raw, off);
        if (best != null && !Arrays.equals(best.fsid(), sb.fsid())) {
          problems.add("copy at " + off + " belongs to another filesystem");
          continue;
        }
        if (best == null || sb.generation() > best.generation()) best = sb;
      } catch (FormatException e) {
        problems.add(e.getMessage());
      }
    }
    if (best == null) {
      throw new FormatException(
          dev.name() + ": no valid btrfs superblock (" + String.join("; ", problems) + ")");
    }
    if (!problems.isEmpty()) LOG.warning(dev.name() + ": skipped superblock copies: " + problems);
    return best;
  }
}
