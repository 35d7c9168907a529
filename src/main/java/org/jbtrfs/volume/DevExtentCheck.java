package org.jbtrfs.volume;

import java.util.HashMap;
import java.util.Map;
import org.jbtrfs.format.FormatException;

/**
 * The kernel's mount-time cross-check of the device tree against the chunk map (volumes.c,
 * btrfs_verify_dev_extents): every dev extent, in key order, must lie on its device, not overlap
 * the one before it, and be exactly one stripe of the chunk it names; and every stripe of every
 * chunk must have its dev extent. A filesystem failing it is refused at mount (EUCLEAN in the
 * kernel), since chunk allocation would otherwise hand out space that is in use, or lose space.
 */
public final class DevExtentCheck {
  private final ChunkMap chunks;
  private final Map<Long, Long> deviceBytes;
  private final Map<Long, Integer> verifiedStripes = new HashMap<>();
  private long prevDevid = -1;
  private long prevEnd;

  /** {@code deviceBytes}: each devid's total_bytes, from its dev item. */
  public DevExtentCheck(ChunkMap chunks, Map<Long, Long> deviceBytes) {
    this.chunks = chunks;
    this.deviceBytes = deviceBytes;
  }

  /** One DEV_EXTENT item; call in key order (devid, then physical offset). */
  public void add(long devid, long physical, long length, long chunkOffset) throws FormatException {
    if (devid == prevDevid && Long.compareUnsigned(physical, prevEnd) < 0) {
      throw fail(
          "dev extent devid %d physical offset %d overlap with previous dev extent end %d",
          devid, physical, prevEnd);
    }
    ChunkMapping chunk;
    try {
      chunk = chunks.lookup(chunkOffset);
    } catch (FormatException e) {
      throw fail(
          "dev extent physical offset %d on devid %d doesn't have corresponding chunk",
          physical, devid);
    }
    long stripeLength = stripeLength(chunk);
    if (length != stripeLength) {
      throw fail(
          "dev extent physical offset %d on devid %d length doesn't match chunk %d, have %d"
              + " expect %d",
          physical, devid, chunk.logical(), length, stripeLength);
    }
    Long size = deviceBytes.get(devid);
    if (size == null) throw fail("failed to find devid %d", devid);
    long end = physical + length;
    if (Long.compareUnsigned(end, physical) < 0 || Long.compareUnsigned(end, size) > 0) {
      throw fail(
          "dev extent devid %d physical offset %d len %d is beyond device boundary %d",
          devid, physical, length, size);
    }
    boolean found = false;
    for (Stripe s : chunk.stripes()) {
      if (s.devid() == devid && s.offset() == physical) {
        found = true;
        int verified = verifiedStripes.merge(chunk.logical(), 1, Integer::sum);
        if (verified > chunk.numStripes()) {
          throw fail("too many dev extents for chunk %d found", chunk.logical());
        }
        break;
      }
    }
    if (!found) {
      throw fail(
          "dev extent physical offset %d devid %d has no corresponding chunk", physical, devid);
    }
    prevDevid = devid;
    prevEnd = end;
  }

  /** After the last dev extent: every chunk's stripes were all found. */
  public void finish() throws FormatException {
    for (ChunkMapping c : chunks.all()) {
      int have = verifiedStripes.getOrDefault(c.logical(), 0);
      if (have != c.numStripes()) {
        throw fail(
            "chunk %d has missing dev extent, have %d expect %d",
            c.logical(), have, c.numStripes());
      }
    }
  }

  /** The bytes one stripe of the chunk takes on its device (btrfs_calc_stripe_length). */
  public static long stripeLength(ChunkMapping c) {
    RaidProfile p = c.profile();
    int dataStripes = (c.numStripes() - p.nparity()) / p.ncopies();
    return dataStripes <= 0 ? -1 : Long.divideUnsigned(c.length(), dataStripes);
  }

  /** The kernel's wording, so a user can search for the message. */
  private static FormatException fail(String format, Object... args) {
    return new FormatException(String.format(format, args));
  }
}
