package org.jbtrfs.volume;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Test BlockSource that serves nothing but logs every device read as "devid@physical+len". */
final class RecordingSource implements BlockSource {
  final List<String> reads = new ArrayList<>();
  final Set<Long> missing = new HashSet<>();

  RecordingSource missing(long... devids) {
    for (long d : devids) {
      missing.add(d);
    }
    return this;
  }

  @Override
  public boolean present(long devid) {
    return !missing.contains(devid);
  }

  @Override
  public void read(long devid, long physical, byte[] buf, int off, int len) throws IOException {
    if (missing.contains(devid)) {
      throw new IOException("read from absent device " + devid);
    }
    reads.add(devid + "@" + physical + "+" + len);
  }
}
