package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Path;
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
}
