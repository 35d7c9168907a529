package org.jbtrfs.volume;

import java.io.IOException;

/** Raw access to the member devices of a filesystem, addressed by btrfs devid. */
public interface BlockSource {
  /** Whether the device is available; absent devices are routed around by the reader. */
  boolean present(long devid);

  /** Reads exactly {@code len} bytes at byte offset {@code physical} of device {@code devid}. */
  void read(long devid, long physical, byte[] buf, int off, int len) throws IOException;

  /** The device's path or name for messages; null when unknown. */
  default String deviceName(long devid) {
    return null;
  }
}
