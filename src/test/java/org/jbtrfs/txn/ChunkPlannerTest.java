package org.jbtrfs.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.volume.RaidProfile;
import org.jbtrfs.volume.Stripe;
import org.junit.jupiter.api.Test;

/**
 * The chunk planner's decisions on hand-worked device states (the numbers follow the kernel's
 * volumes.c rules step by step; MultiDeviceWriteTest compares against the real kernel), and the
 * kernel heapsort as a sort.
 */
class ChunkPlannerTest {
  private static final long MiB = 1L << 20;
  private static final long GiB = 1L << 30;

  private static ChunkPlanner.DeviceSpace dev(long devid, long total, long... extents) {
    List<long[]> list = new ArrayList<>();
    long used = 0;
    for (int i = 0; i < extents.length; i += 2) {
      list.add(new long[] {extents[i], extents[i + 1]});
      used += extents[i + 1];
    }
    return new ChunkPlanner.DeviceSpace(devid, total, used, list);
  }

  @Test
  void raid1PicksTheTwoDevicesWithTheLargestHoles() throws Exception {
    // 4 x 1 GiB: 10% of 4 GiB is 409.6 MiB, rounded up to 16 MiB: 416 MiB stripes.
    List<ChunkPlanner.DeviceSpace> devs =
        List.of(
            dev(1, GiB),
            dev(2, GiB, MiB, 700 * MiB),
            dev(3, GiB, MiB, 300 * MiB),
            dev(4, GiB, MiB, 300 * MiB));
    ChunkPlanner.Plan p =
        ChunkPlanner.plan(RaidProfile.RAID1, BlockGroupItem.TYPE_DATA, devs, 16384);
    assertEquals(416 * MiB, p.stripeSize());
    assertEquals(416 * MiB, p.chunkSize());
    // Devices 3 and 4 tie (same hole, same free space): the kernel's heapsort puts 4 first, as the
    // real kernel did in the same situation (MultiDeviceWriteTest's raid1 configuration).
    assertEquals(List.of(new Stripe(1, MiB), new Stripe(4, 301 * MiB)), p.stripes());
  }

  @Test
  void raid10UsesAnEvenNumberOfDevicesAndTheSmallestHole() throws Exception {
    // Three devices with room: RAID10 takes the two with the largest holes. Metadata on 3 GiB:
    // 256 MiB limit (10% would be 307.2 MiB), so device 2's 223 MiB hole sets the stripe size.
    List<ChunkPlanner.DeviceSpace> devs =
        List.of(dev(1, GiB, MiB, 923 * MiB), dev(2, GiB, MiB, 800 * MiB), dev(3, GiB));
    ChunkPlanner.Plan p =
        ChunkPlanner.plan(RaidProfile.RAID10, BlockGroupItem.TYPE_METADATA, devs, 16384);
    assertEquals(2, p.stripes().size());
    assertEquals(3, p.stripes().get(0).devid());
    assertEquals(2, p.stripes().get(1).devid());
    assertEquals(223 * MiB, p.stripeSize());
    assertEquals(223 * MiB, p.chunkSize());
  }

  @Test
  void dupPutsBothStripesInOneHole() throws Exception {
    // A 60 MiB gap below the used range cannot hold 2 x 32 MiB of system chunk, the tail can.
    List<ChunkPlanner.DeviceSpace> devs = List.of(dev(1, GiB, 61 * MiB, 100 * MiB));
    ChunkPlanner.Plan p =
        ChunkPlanner.plan(RaidProfile.DUP, BlockGroupItem.TYPE_SYSTEM, devs, 4096);
    assertEquals(32 * MiB, p.stripeSize());
    assertEquals(32 * MiB, p.chunkSize());
    assertEquals(List.of(new Stripe(1, 161 * MiB), new Stripe(1, 193 * MiB)), p.stripes());
  }

  @Test
  void tooFewDevicesWithRoomIsNoSpace() {
    List<ChunkPlanner.DeviceSpace> devs =
        List.of(dev(1, GiB, MiB, GiB - MiB), dev(2, GiB), dev(3, GiB));
    assertThrows(
        NoSpaceException.class,
        () -> ChunkPlanner.plan(RaidProfile.RAID1C3, BlockGroupItem.TYPE_DATA, devs, 16384));
  }

  @Test
  void heapSortSorts() {
    SplittableRandom r = new SplittableRandom(1);
    for (int n = 0; n < 40; n++) {
      for (int round = 0; round < 50; round++) {
        List<Integer> a = new ArrayList<>();
        for (int i = 0; i < n; i++) a.add(r.nextInt(6));
        List<Integer> want = new ArrayList<>(a);
        want.sort(Comparator.naturalOrder());
        KernelHeapSort.sort(a, Comparator.naturalOrder());
        assertEquals(want, a);
      }
    }
  }
}
