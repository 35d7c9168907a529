package org.jbtrfs.volume;

import java.io.Closeable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.DevStatsItem;

/**
 * The filesystem's devices by devid; a missing device is simply absent (degraded mount). Every
 * read, write or flush a present device fails is counted in {@link #errors()}, as the kernel's bio
 * layer counts them.
 */
public final class DeviceSet implements BlockSource, BlockSink, Closeable {
  // Concurrent: a finished replace swaps a device in while reads and writes go on.
  private final Map<Long, Device> byId = new ConcurrentSkipListMap<>();
  private final DeviceErrors errors = new DeviceErrors();

  /** A device replace under way: every write to the source device also goes to the target. */
  private record Mirror(long source, Device target) {}

  /**
   * Logical writes hold the read side, a replace's copy of a piece the write side: the copy never
   * falls between two device writes of one logical write (a mirror written, its twin not yet), and
   * mirroring starts between logical writes, never inside one.
   */
  private final ReentrantReadWriteLock writeGate = new ReentrantReadWriteLock();

  private volatile Mirror mirror;

  public void add(long devid, Device device) {
    byId.put(devid, device);
    errors.name(devid, device.name());
  }

  /** Takes a removed member out of the set; returns it (null when it was missing). */
  public Device remove(long devid) {
    return byId.remove(devid);
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
  public boolean accepts(long devid) {
    Mirror m = mirror;
    return byId.containsKey(devid) || (m != null && m.source() == devid);
  }

  /** From now on every write to {@code source} (present or missing) also goes to {@code target}. */
  public void mirrorWrites(long source, Device target) {
    writeGate.writeLock().lock();
    try {
      if (mirror != null) throw new IllegalStateException("a replace is already mirroring writes");
      mirror = new Mirror(source, target);
    } finally {
      writeGate.writeLock().unlock();
    }
  }

  /** Writes to the source go to it alone again (a replace cancelled or failed). */
  public void stopMirroring() {
    writeGate.writeLock().lock();
    try {
      mirror = null;
    } finally {
      writeGate.writeLock().unlock();
    }
  }

  @Override
  public void atomically(WriteGroup writes) throws IOException {
    writeGate.readLock().lock();
    try {
      writes.run();
    } finally {
      writeGate.readLock().unlock();
    }
  }

  /** Work no logical write may interleave with: a piece of a replace's copy. */
  public void excludingWrites(WriteGroup piece) throws IOException {
    writeGate.writeLock().lock();
    try {
      piece.run();
    } finally {
      writeGate.writeLock().unlock();
    }
  }

  /**
   * A replace is done: its target becomes device {@code devid} for reads and writes, and the
   * mirroring stops. Returns the device it took over from (null when that was missing), for the
   * caller to let go once nothing uses it.
   */
  public Device swapInTarget(long devid) {
    writeGate.writeLock().lock();
    try {
      Mirror m = mirror;
      if (m == null || m.source() != devid) {
        throw new IllegalStateException("no replace of devid " + devid);
      }
      Device old = byId.put(devid, m.target());
      errors.name(devid, m.target().name());
      mirror = null;
      return old;
    } finally {
      writeGate.writeLock().unlock();
    }
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
    Mirror m = mirror;
    if (m != null && m.source() == devid) {
      Device d = byId.get(devid);
      if (d != null) writeCounted(devid, d, physical, buf, off, len);
      m.target().write(physical, buf, off, len);
      return;
    }
    writeCounted(devid, device(devid), physical, buf, off, len);
  }

  private void writeCounted(long devid, Device d, long physical, byte[] buf, int off, int len)
      throws IOException {
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
    Mirror m = mirror;
    if (m != null) m.target().flush();
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
