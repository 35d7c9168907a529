package org.jbtrfs.oracle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.device.Device;

/**
 * A device that records every read and write reaching it, once its {@link Log} is armed: the
 * evidence RAID5/6 tests need to tell a full-stripe write (no reads) from a read-modify-write. The
 * log is shared by all devices of a filesystem and keeps each I/O's device, offset and length, so a
 * test can attribute it to a chunk (data, metadata) with a layout it read from btrfs-progs.
 */
final class CountingDevice extends ForwardingDevice {
  /** One I/O: the device's name (its path), read or write, physical offset and length. */
  record Io(String device, boolean write, long offset, int len) {}

  /** What the devices of one filesystem did while armed. */
  static final class Log {
    private boolean armed;
    private final List<Io> events = new ArrayList<>();

    synchronized void arm() {
      armed = true;
    }

    synchronized void disarm() {
      armed = false;
    }

    synchronized void clear() {
      events.clear();
    }

    synchronized List<Io> events() {
      return List.copyOf(events);
    }

    private synchronized void add(Io io) {
      if (armed) events.add(io);
    }
  }

  private final Log log;

  CountingDevice(Device inner, Log log) {
    super(inner);
    this.log = log;
  }

  @Override
  public void read(long offset, byte[] buf, int off, int len) throws IOException {
    log.add(new Io(inner.name(), false, offset, len));
    inner.read(offset, buf, off, len);
  }

  @Override
  public void write(long offset, byte[] buf, int off, int len) throws IOException {
    log.add(new Io(inner.name(), true, offset, len));
    inner.write(offset, buf, off, len);
  }
}
