package org.jbtrfs.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.DevExtentItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.RaidProfile;
import org.jbtrfs.volume.Stripe;

/**
 * Allocates a new chunk and its block group when a block group type runs out, for every non-parity
 * profile on any number of devices: chunk item, device extents (with the chunk tree uuid), the
 * devices' bytes used, the block group item and its free space, and for system chunks the copy in
 * the superblock's system chunk array. Where the chunk goes is decided by {@link ChunkPlanner}, the
 * kernel's rules.
 */
public final class ChunkAllocator {
  private static final Logger LOG = Logger.getLogger(ChunkAllocator.class.getName());
  private static final long TYPE_MASK =
      BlockGroupItem.TYPE_DATA | BlockGroupItem.TYPE_METADATA | BlockGroupItem.TYPE_SYSTEM;
  private static final int MAX_LEVEL = 8;

  /** Highest redundancy first: the kernel's pick when a type has groups of several profiles. */
  private static final RaidProfile[] PREFERENCE = {
    RaidProfile.RAID1C4,
    RaidProfile.RAID6,
    RaidProfile.RAID1C3,
    RaidProfile.RAID5,
    RaidProfile.RAID10,
    RaidProfile.RAID1,
    RaidProfile.DUP,
    RaidProfile.RAID0
  };

  private final WriteEngine engine;

  ChunkAllocator(WriteEngine engine) {
    this.engine = engine;
  }

  /** Adds a chunk for {@code typeFlag} with the profile the existing groups of that type use. */
  void allocate(long typeFlag) throws IOException {
    allocate(typeFlag, Long.MAX_VALUE);
  }

  /**
   * Adds a chunk for {@code typeFlag} taking at most {@code maxDeviceBytes} of device space (all
   * stripes together): the flusher leaves room for a metadata chunk when it adds data.
   */
  void allocate(long typeFlag, long maxDeviceBytes) throws IOException {
    allocate(typeFlag, maxDeviceBytes, null);
  }

  /** As {@link #allocate(long, long)}, with {@code profile} instead of the kernel's choice. */
  void allocate(long typeFlag, long maxDeviceBytes, RaidProfile profile) throws IOException {
    if (profile == null) profile = engine.convertTarget(typeFlag);
    if (profile == null) profile = profileFor(typeFlag);
    else if (engine.allocatableDevices().size() < profile.devsMin()) {
      throw new NoSpaceException(
          profile.displayName() + " needs " + profile.devsMin() + " devices");
    }
    if (typeFlag != BlockGroupItem.TYPE_SYSTEM) ensureSystemRoom();
    Map<Long, byte[]> devItems = new HashMap<>();
    List<ChunkPlanner.DeviceSpace> devices = deviceSpaces(devItems);
    ChunkPlanner.Plan plan =
        ChunkPlanner.plan(
            profile, typeFlag, devices, engine.fs().superblock().nodeSize(), maxDeviceBytes);
    long logical = nextLogical();
    long flags = typeFlag | profile.flag();
    byte[] chunkItem = encodeChunk(plan, flags, profile, devItems);
    Key chunkKey = new Key(ObjectIds.FIRST_CHUNK_TREE, ItemType.CHUNK_ITEM, logical);
    byte[] sysArray = null;
    if (typeFlag == BlockGroupItem.TYPE_SYSTEM) {
      sysArray = appendToSysArray(engine.sysChunkArray(), chunkKey, chunkItem);
    }

    // The group is usable before any tree changes below, so a chunk tree that needs a new block
    // for a system chunk's own items can take it from that chunk.
    ChunkMapping mapping =
        new ChunkMapping(
            logical,
            plan.chunkSize(),
            ChunkPlanner.STRIPE_LEN,
            flags,
            profile.subStripes(),
            plan.stripes());
    engine.fs().chunks().add(mapping);
    BlockGroup bg = new BlockGroup(logical, plan.chunkSize(), flags, 0);
    bg.setCreatedIn(engine.transid());
    bg.free().add(logical, plan.chunkSize());
    engine.groups().add(bg, mapping, engine.fs().sectorSize());
    if (sysArray != null) engine.setSysChunkArray(sysArray);

    WritableTree chunkTree = engine.tree(ObjectIds.CHUNK_TREE);
    chunkTree.insert(chunkKey, chunkItem);
    WritableTree devTree = engine.tree(ObjectIds.DEV_TREE);
    byte[] chunkTreeUuid = engine.chunkTreeUuidForItems();
    Map<Long, Long> added = new HashMap<>();
    for (Stripe s : plan.stripes()) {
      devTree.insert(
          new Key(s.devid(), ItemType.DEV_EXTENT, s.offset()),
          encodeDevExtent(logical, plan.stripeSize(), chunkTreeUuid));
      rememberDevExtent(s.devid(), s.offset(), plan.stripeSize());
      added.merge(s.devid(), plan.stripeSize(), Long::sum);
    }
    for (Map.Entry<Long, Long> e : added.entrySet()) {
      byte[] raw = devItems.get(e.getKey()).clone();
      Le.put64(raw, 16, Le.u64(raw, 16) + e.getValue());
      chunkTree.put(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, e.getKey()), raw);
    }
    byte[] bgItem = new byte[BlockGroupItem.SIZE];
    Le.put64(bgItem, 8, ObjectIds.FIRST_CHUNK_TREE);
    Le.put64(bgItem, 16, flags);
    engine
        .blockGroupItems()
        .insert(new Key(logical, ItemType.BLOCK_GROUP_ITEM, plan.chunkSize()), bgItem);
    LOG.info(
        "allocated "
            + profile.displayName()
            + " "
            + typeName(typeFlag)
            + " chunk at "
            + logical
            + " ("
            + plan.chunkSize()
            + " bytes, "
            + plan.stripes().size()
            + " stripes of "
            + plan.stripeSize()
            + " on "
            + plan.stripes()
            + ")");
  }

  /**
   * Like the kernel's check_system_chunk: before a chunk changes the chunk tree, make sure the
   * system groups can take the worst-case tree growth, adding a system chunk first otherwise.
   */
  private void ensureSystemRoom() throws IOException {
    long node = engine.fs().superblock().nodeSize();
    int devs = engine.allocatableDevices().size();
    long need = node * MAX_LEVEL * devs + node * MAX_LEVEL * 2;
    if (engine.groups().totalFree(BlockGroupItem.TYPE_SYSTEM) < need) {
      allocate(BlockGroupItem.TYPE_SYSTEM);
    }
  }

  /**
   * The profile for a new chunk of this type, chosen as the kernel does: among the profiles the
   * type's existing groups use, those the device count allows, highest redundancy first.
   */
  private RaidProfile profileFor(long typeFlag) throws FormatException {
    long bits = engine.groups().profileBits(typeFlag);
    if (bits < 0) {
      throw new FormatException(
          "no existing block group tells the profile for " + typeName(typeFlag));
    }
    int numDevices = engine.allocatableDevices().size();
    for (RaidProfile p : PREFERENCE) {
      if ((bits & p.flag()) != 0 && numDevices >= p.devsMin()) return p;
    }
    return RaidProfile.SINGLE;
  }

  /** Every device with its dev item (as of the running transaction) and dev extents. */
  private List<ChunkPlanner.DeviceSpace> deviceSpaces(Map<Long, byte[]> devItems)
      throws IOException {
    WritableTree chunkTree = engine.tree(ObjectIds.CHUNK_TREE);
    List<ChunkPlanner.DeviceSpace> out = new ArrayList<>();
    for (long devid : engine.allocatableDevices()) {
      byte[] raw = chunkTree.get(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid));
      if (raw == null) throw new FormatException("no dev item for devid " + devid);
      devItems.put(devid, raw);
      DevItem d = DevItem.parse(raw, 0);
      // A device being shrunk takes new chunks only below its new end.
      long total = Math.min(d.totalBytes(), engine.deviceLimit(devid));
      out.add(new ChunkPlanner.DeviceSpace(devid, total, d.bytesUsed(), devExtents(devid)));
    }
    return out;
  }

  /**
   * [offset, length] of each device's dev extents, by offset: read from the dev tree once, then
   * kept in step with every extent this allocator inserts (nothing else adds or removes them). A 1
   * TiB fallocate adds a thousand chunks; rescanning the tree for each was a quarter of its time.
   */
  private final Map<Long, List<long[]>> devExtentCache = new HashMap<>();

  List<long[]> devExtents(long devid) throws IOException {
    List<long[]> cached = devExtentCache.get(devid);
    if (cached == null) {
      cached = new ArrayList<>();
      Cursor c =
          engine
              .tree(ObjectIds.DEV_TREE)
              .readView()
              .seekCeil(new Key(devid, ItemType.DEV_EXTENT, 0));
      for (; c.valid() && c.objectId() == devid && c.type() == ItemType.DEV_EXTENT; c.next()) {
        DevExtentItem item = DevExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize());
        cached.add(new long[] {c.offset(), item.length()});
      }
      devExtentCache.put(devid, cached);
    }
    return java.util.Collections.unmodifiableList(cached);
  }

  /** Records a dev extent just inserted into the dev tree. */
  private void rememberDevExtent(long devid, long offset, long length) {
    List<long[]> list = devExtentCache.get(devid);
    if (list == null) return; // not loaded yet: the next load reads it from the tree
    int at = 0;
    while (at < list.size() && list.get(at)[0] < offset) at++;
    list.add(at, new long[] {offset, length});
  }

  /** Forgets a dev extent just deleted from the dev tree (its chunk is removed). */
  void forgetDevExtent(long devid, long offset) {
    List<long[]> list = devExtentCache.get(devid);
    if (list != null) list.removeIf(e -> e[0] == offset);
  }

  private long nextLogical() {
    return engine.fs().chunks().end();
  }

  private byte[] encodeChunk(
      ChunkPlanner.Plan plan, long flags, RaidProfile profile, Map<Long, byte[]> devItems) {
    List<Stripe> stripes = plan.stripes();
    byte[] b = new byte[48 + 32 * stripes.size()];
    Le.put64(b, 0, plan.chunkSize());
    Le.put64(b, 8, ObjectIds.EXTENT_TREE);
    Le.put64(b, 16, ChunkPlanner.STRIPE_LEN);
    Le.put64(b, 24, flags);
    Le.put32(b, 32, ChunkPlanner.STRIPE_LEN);
    Le.put32(b, 36, ChunkPlanner.STRIPE_LEN);
    Le.put32(b, 40, engine.fs().sectorSize());
    Le.put16(b, 44, stripes.size());
    Le.put16(b, 46, profile.subStripes());
    for (int i = 0; i < stripes.size(); i++) {
      int o = 48 + 32 * i;
      Le.put64(b, o, stripes.get(i).devid());
      Le.put64(b, o + 8, stripes.get(i).offset());
      byte[] uuid = DevItem.parse(devItems.get(stripes.get(i).devid()), 0).uuid();
      System.arraycopy(uuid, 0, b, o + 16, 16);
    }
    return b;
  }

  /** The superblock's system chunk array with one more chunk, or a refusal when it is full. */
  private static byte[] appendToSysArray(byte[] array, Key key, byte[] chunkItem)
      throws NoSpaceException {
    int size = array.length + Key.SIZE + chunkItem.length;
    if (size > Superblock.SYS_CHUNK_ARRAY_MAX) {
      throw new NoSpaceException(
          "the superblock's system chunk array has no room for another system chunk ("
              + array.length
              + " of "
              + Superblock.SYS_CHUNK_ARRAY_MAX
              + " bytes used)");
    }
    byte[] out = new byte[size];
    System.arraycopy(array, 0, out, 0, array.length);
    key.write(out, array.length);
    System.arraycopy(chunkItem, 0, out, array.length + Key.SIZE, chunkItem.length);
    return out;
  }

  private static byte[] encodeDevExtent(long logical, long length, byte[] chunkTreeUuid) {
    byte[] b = new byte[48];
    Le.put64(b, 0, ObjectIds.CHUNK_TREE);
    Le.put64(b, 8, ObjectIds.FIRST_CHUNK_TREE);
    Le.put64(b, 16, logical);
    Le.put64(b, 24, length);
    System.arraycopy(chunkTreeUuid, 0, b, 32, 16);
    return b;
  }

  private static String typeName(long typeFlag) {
    if (typeFlag == BlockGroupItem.TYPE_DATA) return "data";
    if (typeFlag == BlockGroupItem.TYPE_SYSTEM) return "system";
    return "metadata";
  }
}
