package org.jbtrfs.volume;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** In-memory devices keyed by devid, with a switchable set of absent devices. */
final class MemorySource implements BlockSource {
  final Map<Long, byte[]> devices = new HashMap<>();
  final Set<Long> absent = new HashSet<>();

  byte[] device(long devid, int size) {
    return devices.computeIfAbsent(devid, d -> new byte[size]);
  }

  @Override
  public boolean present(long devid) {
    return devices.containsKey(devid) && !absent.contains(devid);
  }

  @Override
  public void read(long devid, long physical, byte[] buf, int off, int len) throws IOException {
    if (!present(devid)) {
      throw new IOException("device " + devid + " absent");
    }
    System.arraycopy(devices.get(devid), Math.toIntExact(physical), buf, off, len);
  }
}
