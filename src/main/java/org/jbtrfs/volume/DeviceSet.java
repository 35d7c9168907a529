package org.jbtrfs.volume;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.DevStatsItem;

/**
 * The filesystem's devices by devid; a missing device is simply absent (degraded mount). Every
 * read, write or flush a present device fails is counted in {@link #errors()}, as the kernel's bio
 * layer counts them.
 */
public final class DeviceSet implements BlockSource, BlockSink, Closeable {
  private final Map<Long, Device> byId = new TreeMap<>();
  private final DeviceErrors errors = new DeviceErrors();

  public void add(long devid, Device device) {
    byId.put(devid, device);
    errors.name(devid, device.name());
  }

  /** The error counters of these devices. */
  public DeviceErrors errors() {
    return errors;
  }

  /**
   * These devices for a reader that counts its own errors (scrub, which counts per sector as the
   * kernel's scrub does): its failed reads are not counted again here.
   */
  public BlockSource uncountedReads() {
    return new BlockSource() {
      @Override
      public boolean present(long devid) {
        return DeviceSet.this.present(devid);
      }

      @Override
      public void read(long devid, long physical, byte[] buf, int off, int len) throws IOException {
        device(devid).read(physical, buf, off, len);
      }

      @Override
      public String deviceName(long devid) {
        return DeviceSet.this.deviceName(devid);
      }
    };
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
    Device d = device(devid);
    try {
      d.read(physical, buf, off, len);
    } catch (IOException e) {
      errors.count(devid, DevStatsItem.READ_ERRS);
      throw e;
    }
  }

  @Override
  public void write(long devid, long physical, byte[] buf, int off, int len) throws IOException {
    Device d = device(devid);
    try {
      d.write(physical, buf, off, len);
    } catch (IOException e) {
      errors.count(devid, DevStatsItem.WRITE_ERRS);
      throw e;
    }
  }

  /** Makes every completed write on every device durable. */
  public void flushAll() throws IOException {
    for (Map.Entry<Long, Device> e : byId.entrySet()) {
      try {
        e.getValue().flush();
      } catch (IOException failed) {
        errors.count(e.getKey(), DevStatsItem.FLUSH_ERRS);
        throw failed;
      }
    }
  }

  /** A present device; a missing one is an error, but not the device's (nothing is counted). */
  private Device device(long devid) throws IOException {
    Device d = byId.get(devid);
    if (d == null) throw new IOException("device " + devid + " is missing");
    return d;
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
