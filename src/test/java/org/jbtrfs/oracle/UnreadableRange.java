package org.jbtrfs.oracle;

import java.io.IOException;
import org.jbtrfs.device.Device;

/**
 * A device whose reads fail (EIO, as from a bad disk area) wherever they touch [from, to), while
 * writes there go through: a medium error that a rewrite heals, as on a disk that remaps sectors.
 */
final class UnreadableRange extends ForwardingDevice {
  private final long from;
  private final long to;
  private int failedReads;

  UnreadableRange(Device inner, long from, long to) {
    super(inner);
    this.from = from;
    this.to = to;
  }

  @Override
  public void read(long offset, byte[] buf, int off, int len) throws IOException {
    if (offset < to && offset + len > from) {
      failedReads++;
      throw new IOException("injected read error at " + offset + "+" + len);
    }
    super.read(offset, buf, off, len);
  }

  int failedReads() {
    return failedReads;
  }
}
