package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.device.FileDevice;
import org.jbtrfs.replace.DeviceReplace;

/** Looks at an image file from outside a mount. */
final class DeviceProbe {
  private DeviceProbe() {}

  /** Whether the image has a btrfs superblock at its first copy's place. */
  static boolean holdsBtrfs(Path image) throws IOException {
    try (FileDevice d = FileDevice.open(image, false)) {
      return DeviceReplace.holdsBtrfs(d);
    }
  }

  /**
   * The lines of btrfs-progs' dump-super of {@code device} matching {@code lineRegex}, spaces
   * collapsed.
   */
  static List<String> superFields(Path device, String lineRegex) {
    String dump =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", device.toString()))
            .check()
            .out();
    List<String> out = new ArrayList<>();
    for (String line : dump.split("\n")) {
      if (line.matches(lineRegex)) out.add(line.replaceAll("\\s+", " "));
    }
    return out;
  }
}
