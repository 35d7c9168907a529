package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jbtrfs.device.DeviceClaims;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;

/**
 * All devices of an unmounted filesystem named on the command line, opened read-only and claimed
 * for the command's lifetime, so a mount cannot start changing them underneath it.
 */
final class ReadOnlyImages implements AutoCloseable {
  private final DeviceClaims claims;
  private final Filesystem fs;

  private ReadOnlyImages(DeviceClaims claims, Filesystem fs) {
    this.claims = claims;
    this.fs = fs;
  }

  static ReadOnlyImages open(List<Path> devices) throws IOException {
    DeviceClaims claims = DeviceClaims.claim(devices, true);
    try {
      return new ReadOnlyImages(
          claims, Filesystem.open(devices, MountOptions.readOnlyDefaults().withNoLogReplay(true)));
    } catch (IOException | RuntimeException e) {
      claims.close();
      throw e;
    }
  }

  Filesystem fs() {
    return fs;
  }

  @Override
  public void close() throws IOException {
    try {
      fs.close();
    } finally {
      claims.close();
    }
  }
}
