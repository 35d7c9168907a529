package org.jbtrfs.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Superblock;

/**
 * The devices a mount uses when its options name more with {@code device=PATH}, as the kernel's
 * btrfs treats them: each is scanned first (one that is not btrfs, or cannot be read, fails the
 * mount), a member of the filesystem being mounted joins it, and a device of another filesystem is
 * left out (the kernel only registers it) with a log line saying so. A path already given is not
 * added twice.
 */
public final class DeviceOptionMembers {
  private static final Logger LOG = Logger.getLogger(DeviceOptionMembers.class.getName());

  private DeviceOptionMembers() {}

  public static List<Path> withNamed(List<Path> given, List<String> named) throws IOException {
    List<Path> out = new ArrayList<>(given);
    if (named.isEmpty()) return out;
    byte[] fsid = fsidOf(given.get(0));
    for (String n : named) {
      Path p = Path.of(n);
      if (!Files.exists(p)) throw new FormatException("device=" + p + ": no such device or file");
      if (alreadyIn(out, p)) continue;
      byte[] other = fsidOf(p);
      if (Arrays.equals(fsid, other)) {
        out.add(p);
      } else {
        LOG.info(
            "device="
                + p
                + " belongs to another filesystem (fsid "
                + HexFormat.of().formatHex(other)
                + "): left out, as the kernel does");
      }
    }
    return out;
  }

  private static byte[] fsidOf(Path p) throws IOException {
    DeviceScanner.Scanned s = DeviceScanner.scan(p, false);
    try {
      Superblock sb = s.superblock();
      return sb.fsid();
    } finally {
      s.device().close();
    }
  }

  private static boolean alreadyIn(List<Path> devices, Path p) throws IOException {
    for (Path d : devices) if (Files.isSameFile(d, p)) return true;
    return false;
  }
}
