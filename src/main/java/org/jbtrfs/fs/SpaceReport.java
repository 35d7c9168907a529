package org.jbtrfs.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.RaidProfile;

/**
 * What statfs reports, computed the way the kernel's btrfs_statfs does so that `df` agrees: sizes
 * are scaled by the data profile's copy count, the global reserve counts as used, and available
 * space adds what data chunks could still be allocated from unallocated device space.
 */
public record SpaceReport(long totalBytes, long freeBytes, long availableBytes) {
  private static final long STRIPE_LEN = 64L << 10;
  private static final long DEVICE_RESERVED = 1L << 20;
  private static final long META_THRESH = 4L << 20;

  /** One block group: its flags, length and used bytes. */
  public record Group(long flags, long length, long used) {}

  public static SpaceReport compute(Filesystem fs) throws IOException {
    return compute(fs, blockGroups(fs));
  }

  /** The report for block groups as the caller knows them (a writer's in-memory accounting). */
  public static SpaceReport compute(Filesystem fs, List<Group> groups) throws IOException {
    return compute(fs, groups, fs.devItems());
  }

  /** The report for the caller's block groups and device items (a writer's live accounting). */
  public static SpaceReport compute(Filesystem fs, List<Group> groups, List<DevItem> devItems)
      throws IOException {
    long dataTotal = 0, dataUsed = 0, metaTotal = 0, metaUsed = 0, totalUsed = 0;
    int dataFactor = 1;
    long dataFlags = 0;
    boolean mixed = (fs.superblock().incompatFlags() & FeatureFlags.INCOMPAT_MIXED_GROUPS) != 0;
    for (Group g : groups) {
      int factor = RaidProfile.fromFlags(g.flags()).ncopies();
      long diskTotal = g.length() * factor;
      long diskUsed = g.used() * factor;
      if ((g.flags() & BlockGroupItem.TYPE_DATA) != 0) {
        dataTotal += diskTotal;
        dataUsed += diskUsed;
        dataFactor = factor;
        dataFlags = g.flags();
      }
      if ((g.flags() & BlockGroupItem.TYPE_METADATA) != 0) {
        metaTotal += diskTotal;
        metaUsed += diskUsed;
      }
      totalUsed += diskUsed;
    }
    long total = fs.superblock().totalBytes() / dataFactor;
    long reserve = globalReserve(fs);
    long free = Math.max(0, total - totalUsed / dataFactor - reserve);
    long avail = (dataTotal - dataUsed) / dataFactor;
    avail += unallocatedForData(devItems, dataFlags) / dataFactor;
    if (!mixed && metaTotal - metaUsed - META_THRESH < reserve) avail = 0;
    return new SpaceReport(total, free, Math.max(0, avail));
  }

  /**
   * Block group items live in the block group tree when that feature is on, else the extent tree.
   */
  public static List<Group> blockGroups(Filesystem fs) throws IOException {
    boolean bgTree =
        (fs.superblock().compatRoFlags() & FeatureFlags.COMPAT_RO_BLOCK_GROUP_TREE) != 0;
    Tree t = fs.treeOf(bgTree ? ObjectIds.BLOCK_GROUP_TREE : ObjectIds.EXTENT_TREE);
    List<Group> out = new ArrayList<>();
    if (t == null) return out;
    for (ChunkMapping c : fs.chunks().all()) {
      Cursor cur = t.find(new Key(c.logical(), ItemType.BLOCK_GROUP_ITEM, c.length()));
      if (cur == null) continue;
      BlockGroupItem bg = BlockGroupItem.parse(cur.raw(), cur.dataOffset(), cur.dataSize());
      out.add(new Group(bg.flags(), c.length(), bg.used()));
    }
    return out;
  }

  /** The global reserve's size, which statfs counts as used (see GlobalReserveSize). */
  public static long globalReserve(Filesystem fs) throws IOException {
    return org.jbtrfs.space.GlobalReserveSize.of(fs);
  }

  /** Simulates allocating data chunks from each device's unallocated space, widest first. */
  private static long unallocatedForData(List<DevItem> devItems, long dataFlags) {
    RaidProfile p = RaidProfile.fromFlags(dataFlags);
    List<Long> free = new ArrayList<>();
    long minStripe = p == RaidProfile.DUP ? 2 * STRIPE_LEN : STRIPE_LEN;
    for (DevItem d : devItems) {
      long avail = (d.totalBytes() - d.bytesUsed()) / STRIPE_LEN * STRIPE_LEN;
      avail = avail > DEVICE_RESERVED ? avail - DEVICE_RESERVED : 0;
      if (avail >= minStripe) free.add(avail);
    }
    free.sort((a, b) -> Long.compare(b, a));
    long[] avail = free.stream().mapToLong(Long::longValue).toArray();
    int n = avail.length;
    int stripes =
        p == RaidProfile.RAID0 ? n : p == RaidProfile.RAID10 ? 4 : Math.max(1, p.ncopies());
    long total = 0;
    int i = n - 1;
    while (n >= p.devsMin() && i >= 0) {
      stripes = Math.min(stripes, n);
      if (avail[i] >= minStripe) {
        long size = avail[i];
        total += size * stripes;
        for (int j = i + 1 - stripes; j <= i; j++) avail[j] -= size;
      }
      i--;
      n--;
    }
    return total;
  }
}
