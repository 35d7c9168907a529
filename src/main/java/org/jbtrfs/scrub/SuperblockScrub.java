package org.jbtrfs.scrub;

import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Superblock;

/**
 * Checks every superblock copy of every device as the kernel's scrub does: checksum, address and
 * fsid, and the generation of the superblock in use. A bad copy is only counted (a "super" error,
 * neither corrected nor uncorrectable): the next commit writes every copy afresh, and a writable
 * scrub that found errors commits its device counters.
 */
final class SuperblockScrub {
  private final Superblock current;
  private final ScrubCounters counters;
  private final Consumer<String> log;

  SuperblockScrub(Superblock current, ScrubCounters counters, Consumer<String> log) {
    this.current = current;
    this.counters = counters;
    this.log = log;
  }

  void scrub(Map<Long, Device> devices) {
    for (Map.Entry<Long, Device> d : devices.entrySet()) {
      for (long off : Superblock.MIRROR_OFFSETS) {
        try {
          if (off + Superblock.SIZE > d.getValue().size()) break;
        } catch (IOException sizeUnknown) {
          break;
        }
        ErrorKind bad = check(d.getValue(), off);
        if (bad == null) continue;
        counters.superError(bad, d.getKey());
        log.accept(
            "super block at physical "
                + off
                + " devid "
                + d.getKey()
                + " ("
                + d.getValue().name()
                + ") is bad ("
                + bad.name().toLowerCase(Locale.ROOT)
                + "); the next commit rewrites it");
      }
    }
  }

  private ErrorKind check(Device dev, long off) {
    byte[] raw = new byte[Superblock.SIZE];
    Superblock sb;
    try {
      dev.read(off, raw, 0, raw.length);
    } catch (IOException e) {
      return ErrorKind.READ;
    }
    try {
      sb = Superblock.parse(raw, off);
    } catch (FormatException e) {
      return ErrorKind.CSUM;
    }
    if (!Arrays.equals(sb.fsid(), current.fsid())) return ErrorKind.CSUM;
    return sb.generation() == current.generation() ? null : ErrorKind.GENERATION;
  }
}
