package org.jbtrfs.oracle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.device.Device;

/**
 * A device that fails on purpose: once armed, the first {@code allowed} writes (counted across all
 * devices sharing one {@link Plan}) go through, and every later one either throws (THROW: an I/O
 * error the engine sees) or is silently lost (DROP: a power cut, the engine believes it wrote).
 * Also logs the armed writes and flushes in order, so tests can check write barriers.
 */
final class FaultyDevice extends ForwardingDevice {
  enum Mode {
    THROW,
    DROP
  }

  /** One event after arming: a write (offset, length) or a flush (offset -1). */
  record Event(String device, long offset, int length) {
    boolean isFlush() {
      return offset < 0;
    }
  }

  /** Shared state of one fault scenario. allowed = Long.MAX_VALUE just counts. */
  static final class Plan {
    final Mode mode;
    final long allowed;
    private boolean armed;
    private long writes;
    private long dropped;
    private long flushes;
    final List<Event> events = new ArrayList<>();

    Plan(Mode mode, long allowed) {
      this.mode = mode;
      this.allowed = allowed;
    }

    /** From now on writes are counted and, past the allowance, failed. */
    synchronized void arm() {
      armed = true;
    }

    synchronized long writes() {
      return writes;
    }

    synchronized long dropped() {
      return dropped;
    }

    synchronized long flushes() {
      return flushes;
    }
  }

  private final Plan plan;

  FaultyDevice(Device inner, Plan plan) {
    super(inner);
    this.plan = plan;
  }

  @Override
  public void write(long offset, byte[] buf, int off, int len) throws IOException {
    synchronized (plan) {
      if (plan.armed) {
        plan.writes++;
        if (plan.writes > plan.allowed) {
          if (plan.mode == Mode.THROW)
            throw new IOException("injected write failure #" + plan.writes + " at " + offset);
          plan.dropped++;
          return;
        }
        plan.events.add(new Event(inner.name(), offset, len));
      }
    }
    inner.write(offset, buf, off, len);
  }

  @Override
  public void flush() throws IOException {
    synchronized (plan) {
      if (plan.armed) {
        plan.flushes++;
        plan.events.add(new Event(inner.name(), -1, 0));
      }
    }
    inner.flush();
  }
}
