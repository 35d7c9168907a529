package org.jbtrfs.txn;

import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.volume.RaidProfile;
import org.jbtrfs.volume.Stripe;

/**
 * Decides where a new chunk goes and how big it is, by the rules of the kernel's regular (not
 * zoned) chunk allocator (volumes.c: btrfs_create_chunk, gather_device_info, decide_stripe_size),
 * so a chunk jbtrfs adds is the one the kernel would have added in the same state:
 *
 * <ul>
 *   <li>Size limits per type: data chunks up to 10 GiB of logical space with stripes up to 1 GiB,
 *       metadata 256 MiB (1 GiB once the devices total more than 50 GiB), system 32 MiB; no chunk
 *       over 10% of the devices' total size (after the 16 MiB round-up below).
 *   <li>Each device offers its first hole big enough for a full-size stripe set (all of a DUP
 *       chunk's stripes sit in one hole), else its largest hole; devices with less than one 64 KiB
 *       stripe element per stripe are skipped.
 *   <li>Devices are ordered by that hole, then by total unallocated space, largest first (with the
 *       kernel's own unstable sort); as many as the profile allows are used, in whole multiples of
 *       its device increment, and the smallest of their holes sets the stripe size.
 * </ul>
 */
public final class ChunkPlanner {
  static final long STRIPE_LEN = 64L << 10;

  /** The first MiB of every device is never allocated (boot loaders, the primary superblock). */
  static final long DEVICE_RESERVED = 1L << 20;

  private static final long MiB = 1L << 20;

  /** Smallest stripe worth a chunk when the caller caps the device space. */
  private static final long MIN_STRIPE = MiB;

  private static final long GiB = 1L << 30;
  private static final long DATA_CHUNK_MAX = 10 * GiB;
  private static final long STRIPE_MAX = GiB;

  // On-disk sizes that bound how many stripes fit in a chunk item or the system chunk array.
  private static final int HEADER_SIZE = 101;
  private static final int ITEM_SIZE = 25;
  private static final int DISK_KEY_SIZE = 17;
  private static final int CHUNK_WITH_ONE_STRIPE = 80;
  private static final int STRIPE_SIZE = 32;
  private static final int SYS_CHUNK_ARRAY_SIZE = 2048;

  private ChunkPlanner() {}

  /**
   * A device's allocation state: its size, bytes its dev extents cover, and its dev extents as
   * [offset, length] pairs sorted by offset.
   */
  record DeviceSpace(long devid, long totalBytes, long bytesUsed, List<long[]> extents) {}

  /** The decided chunk: stripe size on each device, logical length, and the stripes in order. */
  record Plan(long stripeSize, long chunkSize, List<Stripe> stripes) {}

  /** The kernel's default chunk size limit for a block group type (space_info chunk_size). */
  static long defaultChunkSize(long type, long totalRwBytes) {
    if (type == BlockGroupItem.TYPE_DATA) return DATA_CHUNK_MAX;
    if (type == BlockGroupItem.TYPE_SYSTEM) return 32 * MiB;
    return totalRwBytes > 50 * GiB ? GiB : 256 * MiB;
  }

  /** Largest logical size a chunk of this type may get on devices totalling totalRwBytes. */
  static long maxChunkSize(long type, long totalRwBytes) {
    return Math.min(defaultChunkSize(type, totalRwBytes), totalRwBytes / 10);
  }

  /** About the logical size the next chunk of this type gets while devices have room. */
  public static long typicalChunkSize(long type, long totalRwBytes) {
    return Math.min(defaultChunkSize(type, totalRwBytes), Align.up(totalRwBytes / 10, 16 * MiB));
  }

  /**
   * Plans a chunk of block group type {@code type} with {@code profile}.
   *
   * @param devices every writable device, in devid order (the kernel's allocation list order)
   * @param nodeSize bounds the stripe count by what fits in one chunk item
   * @throws NoSpaceException when too few devices have room for the profile
   */
  static Plan plan(RaidProfile profile, long type, List<DeviceSpace> devices, int nodeSize)
      throws NoSpaceException {
    return plan(profile, type, devices, nodeSize, Long.MAX_VALUE);
  }

  /**
   * As {@link #plan(RaidProfile, long, List, int)}, with the stripes taking at most {@code
   * maxDeviceBytes} of device space together (smaller stripes, not fewer devices).
   */
  static Plan plan(
      RaidProfile profile, long type, List<DeviceSpace> devices, int nodeSize, long maxDeviceBytes)
      throws NoSpaceException {
    long totalRw = 0;
    for (DeviceSpace d : devices) totalRw += d.totalBytes();
    long maxChunk = maxChunkSize(type, totalRw);
    long maxStripe = Math.min(defaultChunkSize(type, totalRw), STRIPE_MAX);
    int devStripes = profile.devStripes();
    int devsMax = profile.devsMax() == 0 ? maxDevices(nodeSize) : profile.devsMax();
    if (type == BlockGroupItem.TYPE_SYSTEM) devsMax = Math.min(devsMax, maxSystemDevices());
    long extentMin = STRIPE_LEN * devStripes;
    long extentWant = maxStripe * devStripes;

    List<Candidate> found = new ArrayList<>();
    for (DeviceSpace d : devices) {
      long totalAvail = Math.max(0, d.totalBytes() - d.bytesUsed());
      if (totalAvail < extentMin) continue;
      long[] hole = findHole(d, extentWant);
      long maxAvail = Math.min(hole[1], extentWant);
      if (maxAvail < extentMin) continue;
      found.add(new Candidate(d.devid(), hole[0], maxAvail, totalAvail));
    }
    KernelHeapSort.sort(found, ChunkPlanner::compareCandidates);

    int ndevs = found.size() - found.size() % profile.devsIncrement();
    if (ndevs < profile.devsMin()) {
      throw new NoSpaceException(
          "no unallocated device space for a new "
              + profile.displayName()
              + " chunk: "
              + found.size()
              + " device(s) have room, the profile needs "
              + profile.devsMin());
    }
    ndevs = Math.min(ndevs, devsMax);

    // Use as many devices as possible, even if their stripes are not full size.
    long stripeSize = found.get(ndevs - 1).maxAvail / devStripes;
    int numStripes = ndevs * devStripes;
    int dataStripes = (numStripes - profile.nparity()) / profile.ncopies();
    if (stripeSize * dataStripes > maxChunk) {
      stripeSize = Math.min(Align.up(maxChunk / dataStripes, 16 * MiB), stripeSize);
    }
    stripeSize = Math.min(stripeSize, STRIPE_MAX);
    stripeSize = Math.min(stripeSize, maxDeviceBytes / numStripes);
    stripeSize = Align.down(stripeSize, STRIPE_LEN);
    if (stripeSize < MIN_STRIPE) {
      throw new NoSpaceException(
          "no room for a " + profile.displayName() + " chunk within " + maxDeviceBytes + " bytes");
    }

    List<Stripe> stripes = new ArrayList<>(numStripes);
    for (int i = 0; i < ndevs; i++) {
      Candidate c = found.get(i);
      for (int j = 0; j < devStripes; j++) {
        stripes.add(new Stripe(c.devid, c.holeStart + j * stripeSize));
      }
    }
    Plan plan = new Plan(stripeSize, stripeSize * dataStripes, stripes);
    checkKernelAccepts(plan, profile);
    return plan;
  }

  /**
   * The shape rules the kernel's chunk validation enforces when it reads a chunk item. The rules
   * above cannot break them; this guard makes sure a future change refuses instead of writing a
   * chunk the kernel would reject.
   */
  static void checkKernelAccepts(Plan plan, RaidProfile profile) {
    int n = plan.stripes().size();
    int perDevice = profile.devStripes();
    java.util.Set<Long> devs = new java.util.HashSet<>();
    for (Stripe s : plan.stripes()) devs.add(s.devid());
    String bad = null;
    if (plan.stripeSize() <= 0 || plan.stripeSize() % STRIPE_LEN != 0) {
      bad = "stripe size " + plan.stripeSize() + " is not a positive multiple of 64 KiB";
    } else if (n < profile.devsMin() * perDevice
        || (profile.devsMax() > 0 && n > profile.devsMax() * perDevice)) {
      bad = n + " stripes";
    } else if ((n / perDevice) % profile.devsIncrement() != 0 || n % profile.subStripes() != 0) {
      bad = n + " stripes do not come in whole mirror groups";
    } else if (devs.size() != n / perDevice) {
      bad = "stripes on devices " + devs + " (each device must hold " + perDevice + ")";
    }
    if (bad != null) {
      throw new IllegalStateException(
          "refusing to write a "
              + profile.displayName()
              + " chunk the kernel would reject: "
              + bad
              + " "
              + plan.stripes());
    }
  }

  private record Candidate(long devid, long holeStart, long maxAvail, long totalAvail) {}

  /** Largest hole first, then most unallocated space: the kernel's device order. */
  private static int compareCandidates(Candidate a, Candidate b) {
    if (a.maxAvail != b.maxAvail) return a.maxAvail > b.maxAvail ? -1 : 1;
    if (a.totalAvail != b.totalAvail) return a.totalAvail > b.totalAvail ? -1 : 1;
    return 0;
  }

  /**
   * [start, size] of the first hole past the reserved MiB that holds {@code want} bytes, or of the
   * largest hole (the first of equal ones) when none does.
   */
  static long[] findHole(DeviceSpace d, long want) {
    long searchStart = DEVICE_RESERVED;
    long searchEnd = d.totalBytes();
    long bestStart = searchStart;
    long bestSize = 0;
    for (long[] e : d.extents()) {
      if (searchStart >= searchEnd || e[0] > searchEnd) break;
      if (e[0] > searchStart) {
        long size = e[0] - searchStart;
        if (size > bestSize) {
          bestStart = searchStart;
          bestSize = size;
        }
        if (size >= want) return new long[] {bestStart, bestSize};
      }
      searchStart = Math.max(searchStart, e[0] + e[1]);
    }
    if (searchEnd > searchStart && searchEnd - searchStart > bestSize) {
      bestStart = searchStart;
      bestSize = searchEnd - searchStart;
    }
    return new long[] {bestStart, bestSize};
  }

  /** Stripes that fit in one chunk item of a leaf. */
  static int maxDevices(int nodeSize) {
    int leafData = nodeSize - HEADER_SIZE;
    return (leafData - ITEM_SIZE - CHUNK_WITH_ONE_STRIPE) / STRIPE_SIZE + 1;
  }

  /** Stripes a system chunk may have so that two such chunks fit in the superblock's array. */
  static int maxSystemDevices() {
    return (SYS_CHUNK_ARRAY_SIZE - 2 * DISK_KEY_SIZE - 2 * CHUNK_WITH_ONE_STRIPE) / STRIPE_SIZE + 1;
  }
}
