package org.jbtrfs.volume;

import java.io.IOException;

/** Where chunk writes land: a device by devid and a physical offset on it. */
public interface BlockSink {
  /**
   * Whether a write to this device lands anywhere: false for a missing device (the write is
   * skipped, as the kernel skips it), true while a replace target stands in for it.
   */
  boolean accepts(long devid);

  void write(long devid, long physical, byte[] buf, int off, int len) throws IOException;

  /** The device writes of one logical write, which a replace's copy must see all or none of. */
  interface WriteGroup {
    void run() throws IOException;
  }

  /**
   * Runs the device writes of one logical write (every copy of it, a RAID5/6 row with its parity)
   * so that a device replace never copies a piece between two of them.
   */
  default void atomically(WriteGroup writes) throws IOException {
    writes.run();
  }
}
