package org.jbtrfs.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.logging.Logger;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.RaidProfile;
import org.jbtrfs.volume.Stripe;

/**
 * Allocates a new chunk and its block group when a block group type runs out: chunk item, device
 * extents, device usage, block group item, and free space. SINGLE and DUP on one device are handled
 * here; other profiles are refused by name until their allocator lands.
 */
public final class ChunkAllocator {
  private static final Logger LOG = Logger.getLogger(ChunkAllocator.class.getName());
  private static final long DEVICE_RESERVED = 1L << 20;
  private static final long STRIPE_LEN = 64L << 10;
  private static final long CHUNK_ALIGN = 16L << 20;

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
   * copies together): the flusher leaves room for a metadata chunk when it adds data.
   */
  void allocate(long typeFlag, long maxDeviceBytes) throws IOException {
    if (typeFlag == BlockGroupItem.TYPE_SYSTEM) {
      throw new NoSpaceException(
          "system chunk space exhausted (allocating system chunks is not supported yet)");
    }
    long profileBits = profileOf(typeFlag);
    RaidProfile profile = RaidProfile.fromFlags(profileBits);
    if (profile != RaidProfile.SINGLE && profile != RaidProfile.DUP) {
      throw new UnsupportedFeatureException(
          "allocating " + profile.displayName() + " chunks is not supported yet");
    }
    if (engine.fs().devices().all().size() != 1) {
      throw new UnsupportedFeatureException(
          "allocating chunks on multi-device filesystems is not supported yet");
    }
    long devid = engine.fs().devices().all().keySet().iterator().next();
    WritableTree chunkTree = engine.tree(ObjectIds.CHUNK_TREE);
    byte[] devItemRaw = chunkTree.get(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid));
    if (devItemRaw == null) throw new FormatException("no dev item for devid " + devid);
    DevItem dev = DevItem.parse(devItemRaw, 0);
    int copies = profile == RaidProfile.DUP ? 2 : 1;
    long stripeSize =
        Math.min(
            chunkSize(typeFlag, engine.fs().superblock().totalBytes()),
            Align.down(maxDeviceBytes / copies, STRIPE_LEN));
    if (stripeSize < STRIPE_LEN * 16)
      throw new NoSpaceException("no room for a chunk within " + maxDeviceBytes + " bytes");
    List<long[]> holes = freeDeviceRanges(devid, dev.totalBytes());
    List<Long> placed = new ArrayList<>();
    for (int attempt = 0; attempt < 8 && placed.size() < copies; attempt++) {
      placed.clear();
      List<long[]> avail = new ArrayList<>();
      for (long[] h : holes) avail.add(h.clone());
      for (int c = 0; c < copies; c++) {
        long at = take(avail, stripeSize);
        if (at < 0) break;
        placed.add(at);
      }
      if (placed.size() < copies) stripeSize = Align.down(stripeSize / 2, STRIPE_LEN);
      if (stripeSize < STRIPE_LEN * 16) break;
    }
    if (placed.size() < copies)
      throw new NoSpaceException(
          "no unallocated device space for a new "
              + (typeFlag == BlockGroupItem.TYPE_DATA ? "data" : "metadata")
              + " chunk");
    long logical = nextLogical();
    long flags = typeFlag | profileBits;
    List<Stripe> stripes = new ArrayList<>();
    for (long phys : placed) stripes.add(new Stripe(devid, phys));
    byte[] chunkTreeUuid = engine.chunkTreeUuidForItems();
    chunkTree.insert(
        new Key(ObjectIds.FIRST_CHUNK_TREE, ItemType.CHUNK_ITEM, logical),
        encodeChunk(stripeSize, flags, stripes, dev, engine.fs().sectorSize()));
    WritableTree devTree = engine.tree(ObjectIds.DEV_TREE);
    for (long phys : placed) {
      devTree.insert(
          new Key(devid, ItemType.DEV_EXTENT, phys),
          encodeDevExtent(logical, stripeSize, chunkTreeUuid));
    }
    Le.put64(devItemRaw, 16, dev.bytesUsed() + stripeSize * copies);
    chunkTree.put(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid), devItemRaw);
    ChunkMapping mapping = new ChunkMapping(logical, stripeSize, STRIPE_LEN, flags, 1, stripes);
    engine.fs().chunks().add(mapping);
    byte[] bgItem = new byte[BlockGroupItem.SIZE];
    Le.put64(bgItem, 8, ObjectIds.FIRST_CHUNK_TREE);
    Le.put64(bgItem, 16, flags);
    engine
        .blockGroupItems()
        .insert(new Key(logical, ItemType.BLOCK_GROUP_ITEM, stripeSize), bgItem);
    BlockGroup bg = new BlockGroup(logical, stripeSize, flags, 0);
    bg.free().add(logical, stripeSize);
    engine.groups().add(bg, mapping, engine.fs().sectorSize());
    LOG.info(
        "allocated "
            + profile.displayName()
            + " chunk at "
            + logical
            + " ("
            + (stripeSize >> 20)
            + " MiB) for "
            + (typeFlag == BlockGroupItem.TYPE_DATA ? "data" : "metadata"));
  }

  private long profileOf(long typeFlag) throws FormatException {
    for (BlockGroup bg : engine.groups().all()) {
      if ((bg.flags()
              & (BlockGroupItem.TYPE_DATA
                  | BlockGroupItem.TYPE_METADATA
                  | BlockGroupItem.TYPE_SYSTEM))
          == typeFlag) {
        return bg.flags() & RaidProfile.PROFILE_MASK;
      }
    }
    throw new FormatException("no existing block group tells the profile for type " + typeFlag);
  }

  /**
   * Like the kernel: data chunks up to 1 GiB, metadata 256 MiB, never more than 10% of the disk.
   */
  public static long chunkSize(long typeFlag, long totalBytes) {
    long max = typeFlag == BlockGroupItem.TYPE_DATA ? 1L << 30 : 256L << 20;
    long tenth = Align.down(totalBytes / 10, CHUNK_ALIGN);
    return Math.max(CHUNK_ALIGN, Math.min(max, tenth));
  }

  /** Unallocated ranges of the device: everything past 1 MiB not covered by a dev extent. */
  private List<long[]> freeDeviceRanges(long devid, long deviceSize) throws IOException {
    TreeMap<Long, Long> used = new TreeMap<>();
    Cursor c =
        engine.tree(ObjectIds.DEV_TREE).readView().seekCeil(new Key(devid, ItemType.DEV_EXTENT, 0));
    for (; c.valid() && c.objectId() == devid && c.type() == ItemType.DEV_EXTENT; c.next()) {
      used.put(c.offset(), Le.u64(c.raw(), c.dataOffset() + 24));
    }
    List<long[]> holes = new ArrayList<>();
    long pos = DEVICE_RESERVED;
    for (var e : used.entrySet()) {
      if (e.getKey() > pos) holes.add(new long[] {pos, e.getKey() - pos});
      pos = Math.max(pos, e.getKey() + e.getValue());
    }
    if (deviceSize > pos) holes.add(new long[] {pos, deviceSize - pos});
    return holes;
  }

  private static long take(List<long[]> holes, long size) {
    for (long[] h : holes) {
      long start = Align.up(h[0], STRIPE_LEN);
      if (start + size <= h[0] + h[1]) {
        h[1] -= start + size - h[0];
        h[0] = start + size;
        return start;
      }
    }
    return -1;
  }

  private long nextLogical() {
    long end = 0;
    for (ChunkMapping m : engine.fs().chunks().all()) end = Math.max(end, m.end());
    return end;
  }

  private static byte[] encodeChunk(
      long length, long flags, List<Stripe> stripes, DevItem dev, int sectorSize) {
    byte[] b = new byte[48 + 32 * stripes.size()];
    Le.put64(b, 0, length);
    Le.put64(b, 8, ObjectIds.EXTENT_TREE);
    Le.put64(b, 16, STRIPE_LEN);
    Le.put64(b, 24, flags);
    Le.put32(b, 32, STRIPE_LEN);
    Le.put32(b, 36, STRIPE_LEN);
    Le.put32(b, 40, sectorSize);
    Le.put16(b, 44, stripes.size());
    Le.put16(b, 46, 1);
    for (int i = 0; i < stripes.size(); i++) {
      int o = 48 + 32 * i;
      Le.put64(b, o, stripes.get(i).devid());
      Le.put64(b, o + 8, stripes.get(i).offset());
      System.arraycopy(dev.uuid(), 0, b, o + 16, 16);
    }
    return b;
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
}
