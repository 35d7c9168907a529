package org.jbtrfs.volume;

import java.io.IOException;

/** Where chunk writes land: a device by devid and a physical offset on it. */
public interface BlockSink {
  boolean present(long devid);

  void write(long devid, long physical, byte[] buf, int off, int len) throws IOException;
}
