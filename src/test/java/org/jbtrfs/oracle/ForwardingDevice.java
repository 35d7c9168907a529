package org.jbtrfs.oracle;

import java.io.IOException;
import org.jbtrfs.device.Device;

/** A device that passes everything to another; test devices override what they meddle with. */
abstract class ForwardingDevice implements Device {
  protected final Device inner;

  ForwardingDevice(Device inner) {
    this.inner = inner;
  }

  @Override
  public void read(long offset, byte[] buf, int off, int len) throws IOException {
    inner.read(offset, buf, off, len);
  }

  @Override
  public void write(long offset, byte[] buf, int off, int len) throws IOException {
    inner.write(offset, buf, off, len);
  }

  @Override
  public void flush() throws IOException {
    inner.flush();
  }

  @Override
  public long size() throws IOException {
    return inner.size();
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
