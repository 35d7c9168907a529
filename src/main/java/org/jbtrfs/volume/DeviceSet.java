package org.jbtrfs.volume;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.device.Device;

/** The filesystem's devices by devid; a missing device is simply absent (degraded mount). */
public final class DeviceSet implements BlockSource, BlockSink, Closeable {
  private final Map<Long, Device> byId = new TreeMap<>();

  public void add(long devid, Device device) {
    byId.put(devid, device);
  }

  public Device get(long devid) {
    return byId.get(devid);
  }

  public Map<Long, Device> all() {
    return byId;
  }

  @Override
  public boolean present(long devid) {
    return byId.containsKey(devid);
  }

  @Override
  public String deviceName(long devid) {
    Device d = byId.get(devid);
    return d == null ? null : d.name();
  }

  @Override
  public void read(long devid, long physical, byte[] buf, int off, int len) throws IOException {
    Device d = byId.get(devid);
    if (d == null) throw new IOException("device " + devid + " is missing");
    d.read(physical, buf, off, len);
  }

  @Override
  public void write(long devid, long physical, byte[] buf, int off, int len) throws IOException {
    Device d = byId.get(devid);
    if (d == null) throw new IOException("device " + devid + " is missing");
    d.write(physical, buf, off, len);
  }

  /** Makes every completed write on every device durable. */
  public void flushAll() throws IOException {
    for (Device d : byId.values()) d.flush();
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (Device d : byId.values()) {
      try {
        d.close();
      } catch (IOException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }
}
