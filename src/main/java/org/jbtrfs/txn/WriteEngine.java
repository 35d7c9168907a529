package org.jbtrfs.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.jbtrfs.device.Device;
import org.jbtrfs.extent.BlockGroups;
import org.jbtrfs.extent.ChecksumTreeEditor;
import org.jbtrfs.extent.DelayedRefRunner;
import org.jbtrfs.extent.DelayedRefs;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.extent.SharedTreeBlockRefs;
import org.jbtrfs.extent.TreeDrop;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.DevStatsItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.space.ChunkForce;
import org.jbtrfs.space.GlobalReserveSize;
import org.jbtrfs.space.MetadataCost;
import org.jbtrfs.space.SpaceCounters;
import org.jbtrfs.space.SpaceInfo;
import org.jbtrfs.space.SpaceManager;
import org.jbtrfs.tree.DirtyBlocks;
import org.jbtrfs.tree.Sharing;
import org.jbtrfs.tree.TreeBlockAllocator;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.tree.WriteContext;
import org.jbtrfs.volume.DeviceErrors;
import org.jbtrfs.volume.LogicalWriter;

/**
 * The running transaction over an opened filesystem: trees being changed, dirty blocks, delayed
 * references, block groups and the extent allocator, and the commit that makes it all durable.
 * Single-threaded by contract: callers serialize access.
 */
public final class WriteEngine implements TreeBlockAllocator {
  private static final Logger LOG = Logger.getLogger(WriteEngine.class.getName());

  private final Filesystem fs;
  private final BlockGroups groups;
  private final DelayedRefs refs = new DelayedRefs();
  private final SharedTreeBlockRefs sharedRefs;
  private final DirtyBlocks dirty = new DirtyBlocks();
  private final LogicalWriter writer;
  private final PendingData pendingData;
  private final Map<Long, WritableTree> trees = new java.util.concurrent.ConcurrentHashMap<>();
  private final ChunkAllocator chunkAllocator = new ChunkAllocator(this);
  private final SpaceManager space;
  private boolean allocatingChunk;

  /** The superblock's system chunk array with this transaction's new system chunks, if any. */
  private byte[] pendingSysChunkArray;

  /** Incompat bits the next superblock gains (the data of this transaction needs them). */
  private volatile long pendingIncompat;

  private volatile Throwable aborted;

  /** Whether a failure aborted the transaction (nothing more is written). */
  public boolean isAborted() {
    return aborted != null;
  }

  /** Free metadata above which data may take all unallocated space. */
  private static final long METADATA_PLENTY = 32L << 20;

  private static final long DEVICE_RESERVED = 1L << 20;

  /** Free metadata nodes below which a new metadata chunk is added. */
  private static final int METADATA_MARGIN_NODES = 256;

  private Superblock sb;
  private long transid;
  private WriteContext ctx;

  private WriteEngine(Filesystem fs, BlockGroups groups) {
    this.fs = fs;
    this.groups = groups;
    this.sb = fs.superblock();
    this.writer = new LogicalWriter(fs.chunks(), fs.devices(), fs.devices());
    this.pendingData =
        new PendingData(
            new PendingData.Target() {
              @Override
              public void write(long logical, byte[] buf, int off, int len) throws IOException {
                writer.write(logical, buf, off, len);
              }

              @Override
              public long parityRowFloor(long end) {
                return writer.parityRowFloor(end);
              }
            });
    fs.data().setOverlay(pendingData);
    groups.setReuseGuard(pendingData::cancel);
    this.sharedRefs =
        new SharedTreeBlockRefs(() -> tree(ObjectIds.EXTENT_TREE), refs, sb.nodeSize());
    startTransaction(sb.generation() + 1);
    boolean fst = (sb.compatRoFlags() & FeatureFlags.COMPAT_RO_FREE_SPACE_TREE) != 0;
    this.space =
        new SpaceManager(
            new MetadataCost(sb.nodeSize(), fs.sectorSize(), sb.checksumType().size(), fst),
            ChunkPlanner.typicalChunkSize(BlockGroupItem.TYPE_DATA, sb.totalBytes()),
            new EngineFlushOps(this));
    groups.setListener(space);
    fs.metadata().setOverlay(dirty);
    fs.setLiveTrees(
        id -> {
          WritableTree t = trees.get(id);
          return t == null ? null : t.readView();
        });
  }

  /** Opens the filesystem for writing after checking that every feature in use is handled. */
  public static WriteEngine open(Filesystem fs) throws IOException {
    WriteEngine e = open(fs, false);
    e.space.setUnallocated(e.unallocatedBytes());
    e.space.setGlobalReserveSize(GlobalReserveSize.of(fs));
    return e;
  }

  /**
   * Opens a filesystem that carries an fsync log, for the log replay: its first commit clears the
   * superblock's log root, so the caller must have replayed the log into this transaction first.
   */
  public static WriteEngine openForLogReplay(Filesystem fs) throws IOException {
    WriteEngine e = open(fs, true);
    e.space.setUnallocated(e.unallocatedBytes());
    e.space.setGlobalReserveSize(GlobalReserveSize.of(fs));
    return e;
  }

  private static WriteEngine open(Filesystem fs, boolean replayingLog) throws IOException {
    WriteFeatures.check(fs, replayingLog);
    boolean bgTree =
        (fs.superblock().compatRoFlags() & FeatureFlags.COMPAT_RO_BLOCK_GROUP_TREE) != 0;
    BlockGroups groups =
        BlockGroups.load(
            fs.chunks(),
            fs.treeOf(bgTree ? ObjectIds.BLOCK_GROUP_TREE : ObjectIds.EXTENT_TREE),
            fs.treeOf(ObjectIds.FREE_SPACE_TREE),
            fs.sectorSize());
    return new WriteEngine(fs, groups);
  }

  private void startTransaction(long id) {
    transid = id;
    ctx =
        new WriteContext(
            transid, sb.nodeSize(), sb.metadataUuid(), chunkTreeUuid(), this, dirty, fs.metadata());
    trees.clear();
  }

  private byte[] chunkTreeUuid() {
    try {
      return fs.metadata().read(sb.chunkRootBytenr(), 0, -1).chunkTreeUuid();
    } catch (IOException e) {
      throw new IllegalStateException("chunk root unreadable: " + e.getMessage(), e);
    }
  }

  public Filesystem fs() {
    return fs;
  }

  public long transid() {
    return transid;
  }

  public BlockGroups groups() {
    return groups;
  }

  /**
   * Whether the data extent at {@code bytenr} is referenced by the file extent item of (root,
   * inode, {@code refOffset}) alone, so nodatacow data may overwrite it in place.
   */
  public boolean isExclusiveDataExtent(
      long bytenr, long numBytes, long root, long ino, long refOffset) throws IOException {
    return ExclusiveDataExtent.check(this, bytenr, numBytes, root, ino, refOffset);
  }

  public DelayedRefs refs() {
    return refs;
  }

  /** The tree with this id, writable in the running transaction. */
  public WritableTree tree(long id) throws IOException {
    WritableTree t = trees.get(id);
    if (t != null) return t;
    if (id == ObjectIds.ROOT_TREE) {
      t = new WritableTree(ctx, id, sb.rootBytenr(), sb.rootLevel(), sb.generation());
    } else if (id == ObjectIds.CHUNK_TREE) {
      t =
          new WritableTree(
              ctx, id, sb.chunkRootBytenr(), sb.chunkRootLevel(), sb.chunkRootGeneration());
    } else {
      WritableTree root = tree(ObjectIds.ROOT_TREE);
      byte[] item = root.get(RootItems.keyOf(root, id));
      RootItem parsed = RootItem.parse(item, 0, item.length);
      // Subvolume trees may share blocks with their snapshots; every other tree is private.
      Sharing sharing =
          ObjectIds.isFsTree(id)
              ? new Sharing(true, parsed.lastSnapshot(), sharedRefs)
              : new Sharing(false, 0, sharedRefs);
      t = new WritableTree(ctx, id, parsed.bytenr(), parsed.level(), parsed.generation(), sharing);
    }
    trees.put(id, t);
    return t;
  }

  /**
   * Starts tree {@code newId} as a snapshot of subvolume {@code sourceId} as last committed: its
   * root is a copy of the source's root block, whose children both now reference. The source must
   * not have changed in this transaction, since a later change to one of its blocks of this
   * transaction would be made in place, under the snapshot too. The caller writes the snapshot's
   * root item and the source's last_snapshot; the source is reopened on next use, so that its COW
   * reads the new last_snapshot and treats its old blocks as shared.
   */
  public WritableTree startSnapshot(long sourceId, long newId) throws IOException {
    WritableTree open = trees.get(sourceId);
    if (open != null && open.rootChanged()) {
      throw new IllegalStateException(
          "subvolume " + sourceId + " changed in this transaction; commit before a snapshot");
    }
    WritableTree root = tree(ObjectIds.ROOT_TREE);
    byte[] item = root.get(RootItems.keyOf(root, sourceId));
    RootItem source = RootItem.parse(item, 0, item.length);
    WritableTree t =
        WritableTree.snapshotOf(
            ctx,
            newId,
            source.bytenr(),
            source.generation(),
            source.level(),
            new Sharing(true, transid, sharedRefs));
    trees.remove(sourceId);
    trees.put(newId, t);
    return t;
  }

  /**
   * Forgets the open tree of subvolume {@code id}, which is being deleted: its tree must not have
   * changed in this transaction, and nothing writes it again.
   */
  void forgetTree(long id) {
    WritableTree open = trees.remove(id);
    if (open != null && open.rootChanged()) {
      throw new IllegalStateException(
          "subvolume " + id + " changed in the transaction deleting it");
    }
  }

  /** Whether tree {@code id} was changed in the running transaction. */
  public boolean treeChangedInTransaction(long id) {
    WritableTree open = trees.get(id);
    return open != null && open.rootChanged();
  }

  /** A drop of tree {@code id}'s references, run in this transaction. */
  TreeDrop treeDrop(long id) {
    return new TreeDrop(fs.metadata(), refs, sharedRefs, sb.nodeSize(), id);
  }

  /** The highest subvolume id handed out by this engine (ids are not reused while mounted). */
  private long highestSubvolumeId;

  /**
   * The id for a new subvolume: one past the highest in the root tree ({@code highestInTree}), or
   * past any this engine handed out before (a deleted one's id stays taken until remount, as in the
   * kernel, so nothing cached under it is mistaken for the new one).
   */
  public synchronized long nextSubvolumeId(long highestInTree) {
    highestSubvolumeId = Math.max(highestSubvolumeId, highestInTree) + 1;
    return highestSubvolumeId;
  }

  /** Starts tree {@code newId} as a new, empty subvolume; the caller writes its root item. */
  public WritableTree startSubvolume(long newId) throws IOException {
    WritableTree t = WritableTree.create(ctx, newId);
    trees.put(newId, t);
    return t;
  }

  public ChecksumTreeEditor checksums() throws IOException {
    return new ChecksumTreeEditor(
        tree(ObjectIds.CSUM_TREE), sb.sectorSize(), sb.checksumType().size(), sb.nodeSize());
  }

  @Override
  public long allocate(long owner, int level) throws IOException {
    long type =
        owner == ObjectIds.CHUNK_TREE ? BlockGroupItem.TYPE_SYSTEM : BlockGroupItem.TYPE_METADATA;
    long bytenr = allocateOrGrow(type, sb.nodeSize(), sb.nodeSize());
    if (type == BlockGroupItem.TYPE_METADATA) space.chargeMetadata(sb.nodeSize());
    refs.newTreeBlock(bytenr, sb.nodeSize(), level, owner);
    fs.metadata().invalidate(bytenr);
    return bytenr;
  }

  /**
   * Puts a tree block built outside copy-on-write (relocation's copy of a shared block) at an
   * address {@link #allocate} gave, to be written by the commit.
   */
  public void placeTreeBlock(long bytenr, byte[] raw) {
    if (!refs.isPendingNew(bytenr)) {
      throw new IllegalStateException("tree block " + bytenr + " was not allocated here");
    }
    dirty.put(bytenr, raw);
  }

  /** Reference counts of tree blocks shared with snapshots, pending changes included. */
  public org.jbtrfs.tree.SharedBlockRefs sharedRefs() {
    return sharedRefs;
  }

  @Override
  public void free(long bytenr, long owner, int level) throws IOException {
    if (refs.isPendingNew(bytenr)) dirty.remove(bytenr);
    refs.dropTreeBlock(bytenr, sb.nodeSize(), level, owner);
  }

  ChunkAllocator chunkAllocator() {
    return chunkAllocator;
  }

  /** Chunks removed in this transaction: they leave the chunk map once the commit is on disk. */
  private final List<org.jbtrfs.volume.ChunkMapping> removedChunks = new ArrayList<>();

  void chunkRemoved(org.jbtrfs.volume.ChunkMapping chunk) throws IOException {
    removedChunks.add(chunk);
    space.setUnallocated(unallocatedBytes());
  }

  /**
   * Removes {@code bg}, which must be empty in the committed state and now, with its chunk (see
   * ChunkRemoval); the device space it used is unallocated again.
   */
  public synchronized void removeEmptyBlockGroup(org.jbtrfs.extent.BlockGroup bg)
      throws IOException {
    checkNotAborted();
    if (allocatingChunk) throw new IllegalStateException("a chunk allocation is running");
    ChunkRemoval.remove(this, bg);
  }

  /** Allocates a data extent of {@code len} bytes (sector aligned). */
  public long allocateData(long len) throws IOException {
    long at = allocateOrGrow(BlockGroupItem.TYPE_DATA, len, sb.sectorSize());
    fs.data().forgetExtents(at, len);
    return at;
  }

  /**
   * Allocates a data extent of {@code len} bytes for relocation: in a group of {@code profile} (any
   * profile when null) that is open to allocation, adding a chunk of that profile when none has
   * room.
   */
  public long allocateRelocatedData(long len, org.jbtrfs.volume.RaidProfile profile)
      throws IOException {
    checkNotAborted();
    java.util.function.Predicate<org.jbtrfs.extent.BlockGroup> accepts =
        profile == null
            ? bg -> true
            : bg -> org.jbtrfs.volume.RaidProfile.fromFlags(bg.flags()) == profile;
    long at;
    try {
      at = groups.allocateIn(BlockGroupItem.TYPE_DATA, len, sb.sectorSize(), accepts);
    } catch (NoSpaceException full) {
      addChunk(BlockGroupItem.TYPE_DATA, Long.MAX_VALUE, profile);
      at = groups.allocateIn(BlockGroupItem.TYPE_DATA, len, sb.sectorSize(), accepts);
    }
    fs.data().forgetExtents(at, len);
    return at;
  }

  /** Gives back a data extent allocated in this transaction that nothing references. */
  public void freeUnusedData(long at, long len) {
    groups.freeUncommitted(at, len);
  }

  /** Profiles new chunks of a type take while a balance converts it (type flag to profile). */
  private final Map<Long, org.jbtrfs.volume.RaidProfile> convertTargets =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Makes every new chunk of {@code typeFlag} use {@code profile} (null: back to the kernel's
   * choice from the existing groups), as the kernel's allocator follows a running conversion.
   */
  public void setConvertTarget(long typeFlag, org.jbtrfs.volume.RaidProfile profile) {
    if (profile == null) convertTargets.remove(typeFlag);
    else convertTargets.put(typeFlag, profile);
  }

  org.jbtrfs.volume.RaidProfile convertTarget(long typeFlag) {
    return convertTargets.get(typeFlag);
  }

  /**
   * [address, length] of a new data extent of up to {@code want} bytes: less when free space is
   * fragmented, so callers loop until they have all they need.
   */
  public long[] allocateDataUpTo(long want) throws IOException {
    try {
      return new long[] {allocateData(want), want};
    } catch (NoSpaceException full) {
      long largest =
          Align.down(Math.min(want, groups.largestFree(BlockGroupItem.TYPE_DATA)), sb.sectorSize());
      if (largest <= 0) throw full;
      return new long[] {allocateData(largest), largest};
    }
  }

  /**
   * Allocates from existing block groups, adding a chunk when they are full. A chunk allocation
   * changes trees, which allocate metadata; the flag stops that from allocating another chunk (no
   * recursion), and it is cleared on every path out.
   */
  private long allocateOrGrow(long type, long len, long align) throws IOException {
    try {
      long at = groups.allocate(type, len, align);
      if (type == BlockGroupItem.TYPE_METADATA && !allocatingChunk && metadataLow())
        growMetadataEarly();
      return at;
    } catch (NoSpaceException full) {
      if (allocatingChunk) throw full;
      try {
        addChunk(type, Long.MAX_VALUE);
      } catch (NoSpaceException noDeviceRoom) {
        // No clean RAID5/6 row and no room for a chunk: what is left is the free tails of rows
        // holding committed data. Using them, as the kernel does, gives up the no-write-hole
        // promise for those rows only; refusing would abort the transaction.
        try {
          return groups.allocateInAnyRow(type, len, align);
        } catch (NoSpaceException stillFull) {
          throw noDeviceRoom;
        }
      }
      return groups.allocate(type, len, align);
    }
  }

  /**
   * Metadata must never run out in the middle of a commit, so a chunk is added while some room is
   * left (the kernel keeps a similar margin through its global reserve).
   */
  private boolean metadataLow() {
    return groups.totalFree(BlockGroupItem.TYPE_METADATA)
        < METADATA_MARGIN_NODES * (long) sb.nodeSize();
  }

  public SpaceManager space() {
    return space;
  }

  /**
   * Adds a chunk; the flag stops the tree changes it makes from allocating another one, and is
   * cleared on every path out.
   */
  private void addChunk(long type, long maxDeviceBytes) throws IOException {
    addChunk(type, maxDeviceBytes, null);
  }

  /** As {@link #addChunk(long, long)}, of {@code profile} (null: the kernel's choice). */
  private void addChunk(long type, long maxDeviceBytes, org.jbtrfs.volume.RaidProfile profile)
      throws IOException {
    allocatingChunk = true;
    try {
      chunkAllocator.allocate(type, maxDeviceBytes, profile);
    } finally {
      allocatingChunk = false;
      space.setUnallocated(unallocatedBytes());
    }
  }

  private void growMetadataEarly() {
    try {
      addChunk(BlockGroupItem.TYPE_METADATA, Long.MAX_VALUE);
    } catch (IOException e) {
      LOG.fine("could not add a metadata chunk early: " + e.getMessage());
    }
  }

  /**
   * Adds a chunk of {@code type} (a BlockGroupItem TYPE_ flag) now, whether or not its groups are
   * full: the counterpart of the kernel's force_chunk_alloc sysfs knob, for tools and tests that
   * need a particular chunk layout. Committed with the running transaction.
   */
  public void forceChunkAllocation(long type) throws IOException {
    checkNotAborted();
    if (allocatingChunk) throw new IllegalStateException("a chunk allocation is running");
    addChunk(type, Long.MAX_VALUE);
  }

  /** The system chunk array the next superblock will carry. */
  byte[] sysChunkArray() {
    return pendingSysChunkArray != null ? pendingSysChunkArray : sb.sysChunkArray();
  }

  void setSysChunkArray(byte[] array) {
    pendingSysChunkArray = array;
  }

  /**
   * Makes the next commit set incompat {@code bits} (lzo or zstd, before extents of that kind are
   * on the devices), as the kernel does when an algorithm is first chosen.
   */
  public synchronized void requireIncompat(long bits) {
    if ((sb.incompatFlags() & bits) != bits) pendingIncompat |= bits;
  }

  /** A label the next commit writes into the superblocks (FS_IOC_SETFSLABEL). */
  private byte[] pendingLabel;

  /** Makes the next commit set the label; a commit happens even if nothing else changed. */
  public synchronized void setLabel(byte[] label) {
    if (label.length >= Superblock.LABEL_SIZE) {
      throw new IllegalArgumentException(
          "a label has fewer than " + Superblock.LABEL_SIZE + " bytes");
    }
    pendingLabel = label.clone();
  }

  /** The label as the next commit writes it. */
  public synchronized byte[] label() {
    return pendingLabel != null ? pendingLabel.clone() : sb.labelBytes();
  }

  private synchronized boolean hasPendingLabel() {
    return pendingLabel != null;
  }

  /** How much device sizes grew in this transaction (a resize), for the superblock. */
  private long totalBytesDelta;

  private synchronized long takeTotalBytesDelta() {
    long d = totalBytesDelta;
    totalBytesDelta = 0;
    return d;
  }

  /** Devices added in this transaction, for the superblock's num_devices. */
  private int devicesAdded;

  private synchronized int takeDevicesAdded() {
    int n = devicesAdded;
    devicesAdded = 0;
    return n;
  }

  /**
   * Makes {@code device} a member, as the kernel's device add does: its dev item goes into the
   * chunk tree, it joins the devices chunks are allocated from, and the commit raises the
   * superblock's total_bytes and num_devices and writes the superblocks onto it too. No chunk
   * moves: existing data stays where it is until a balance.
   */
  public synchronized void addDevice(Device device, DevItem item) throws IOException {
    WritableTree chunkTree = tree(ObjectIds.CHUNK_TREE);
    Key key = new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, item.devid());
    if (chunkTree.get(key) != null || fs.devices().get(item.devid()) != null)
      throw new FormatException("devid " + item.devid() + " is taken");
    chunkTree.put(key, item.encode());
    fs.devices().add(item.devid(), device);
    fs.addDevItem(item);
    totalBytesDelta += item.totalBytes();
    devicesAdded++;
    space.setUnallocated(unallocatedBytes());
  }

  /** Devices no new chunk may use: being removed (their chunks are moved off first). */
  private final java.util.Set<Long> excludedDevices =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Ends below which new chunks must stay on a device being shrunk, by devid. */
  private final Map<Long, Long> deviceLimits = new java.util.concurrent.ConcurrentHashMap<>();

  /** Keeps new chunks of {@code devid} below {@code end} (Long.MAX_VALUE: no limit again). */
  public void limitDevice(long devid, long end) {
    if (end == Long.MAX_VALUE) deviceLimits.remove(devid);
    else deviceLimits.put(devid, end);
  }

  long deviceLimit(long devid) {
    return deviceLimits.getOrDefault(devid, Long.MAX_VALUE);
  }

  /**
   * Shrinks device {@code devid} to {@code newTotal} bytes once no device extent reaches past it:
   * its dev item's total_bytes, and the superblock's total_bytes at the commit (the kernel's
   * btrfs_shrink_device after its relocation).
   */
  public synchronized void shrinkDevice(long devid, long newTotal) throws IOException {
    for (long[] e : chunkAllocator.devExtents(devid)) {
      long end = e[0] + e[1];
      if (end > newTotal) {
        throw new IllegalStateException(
            "devid " + devid + " has a device extent up to " + end + ", past " + newTotal);
      }
    }
    WritableTree chunkTree = tree(ObjectIds.CHUNK_TREE);
    Key key = new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid);
    byte[] raw = chunkTree.get(key);
    if (raw == null) throw new FormatException("no dev item for devid " + devid);
    long old = DevItem.parse(raw, 0).totalBytes();
    if (newTotal >= old) throw new IllegalArgumentException("not a shrink: " + newTotal);
    byte[] changed = raw.clone();
    Le.put64(changed, DevItem.OFF_TOTAL_BYTES, newTotal);
    chunkTree.put(key, changed);
    totalBytesDelta -= old - newTotal;
    deviceLimits.remove(devid);
    space.setUnallocated(unallocatedBytes());
  }

  /** Keeps new chunks off {@code devid} (true) or lets them back on (false). */
  public void excludeFromAllocation(long devid, boolean excluded) {
    if (excluded) excludedDevices.add(devid);
    else excludedDevices.remove(devid);
  }

  /** The present devices new chunks may use, by devid. */
  public List<Long> allocatableDevices() {
    List<Long> out = new ArrayList<>();
    for (long devid : fs.devices().all().keySet())
      if (!excludedDevices.contains(devid)) out.add(devid);
    return out;
  }

  /**
   * Takes device {@code devid}, which no chunk uses any more, out of the filesystem as the kernel's
   * device remove does: its dev item goes, and the commit lowers the superblock's total_bytes and
   * num_devices and writes the superblocks on the others only. Returns the device (null when it was
   * missing), whose superblocks the caller wipes once the commit is on disk.
   */
  public synchronized Device removeDevice(long devid) throws IOException {
    if (!chunkAllocator.devExtents(devid).isEmpty()) {
      throw new IllegalStateException("devid " + devid + " still holds device extents");
    }
    WritableTree chunkTree = tree(ObjectIds.CHUNK_TREE);
    Key key = new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid);
    byte[] raw = chunkTree.get(key);
    if (raw == null) throw new FormatException("no dev item for devid " + devid);
    chunkTree.delete(key);
    totalBytesDelta -= DevItem.parse(raw, 0).totalBytes();
    devicesAdded--;
    excludedDevices.remove(devid);
    fs.removeDevItem(devid);
    Device gone = fs.devices().remove(devid);
    space.setUnallocated(unallocatedBytes());
    return gone;
  }

  /**
   * Grows device {@code devid} to {@code newTotal} bytes, as the kernel's resize grows one: its dev
   * item's total_bytes, and the superblock's total_bytes by as much (at the commit). Shrinking
   * would have to move the chunks past the new end first (relocation), which jbtrfs does not do.
   */
  public synchronized void growDevice(long devid, long newTotal) throws IOException {
    WritableTree chunkTree = tree(ObjectIds.CHUNK_TREE);
    Key key = new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid);
    byte[] raw = chunkTree.get(key);
    if (raw == null) throw new FormatException("no dev item for devid " + devid);
    long old = DevItem.parse(raw, 0).totalBytes();
    if (newTotal < old) {
      throw new UnsupportedFeatureException(
          "shrinking a device needs relocation (moving its chunks), which jbtrfs does not do yet");
    }
    if (newTotal == old) return;
    byte[] changed = raw.clone();
    Le.put64(changed, DevItem.OFF_TOTAL_BYTES, newTotal);
    chunkTree.put(key, changed);
    totalBytesDelta += newTotal - old;
  }

  private synchronized byte[] takeLabel() {
    byte[] l = pendingLabel;
    pendingLabel = null;
    return l;
  }

  private synchronized long takeIncompat() {
    long bits = pendingIncompat;
    pendingIncompat = 0;
    return bits;
  }

  /**
   * The flusher's chunk allocation: a chunk of {@code info}'s type if {@code force} finds it worth
   * it and the devices have room. Data never takes the last metadata chunk's worth of unallocated
   * space while metadata is not plentiful, so metadata can still grow on a filesystem full of data.
   */
  boolean allocateChunkFor(SpaceInfo info, ChunkForce force) throws IOException {
    if (allocatingChunk) return false;
    SpaceCounters c = info.counters();
    if (!force.worthAllocating(c.total(), c.allUsed() - c.mayUse(), sb.totalBytes())) return false;
    long type = info.typeFlags() & ~BlockGroupItem.TYPE_SYSTEM;
    long max = Long.MAX_VALUE;
    if (info.isData()) {
      long metaChunk = ChunkPlanner.typicalChunkSize(BlockGroupItem.TYPE_METADATA, sb.totalBytes());
      // Plenty is a quarter of a metadata chunk on a small filesystem (whose whole metadata chunk
      // is less than 128 MiB): its first chunk from mkfs, nearly empty, is plenty. The kernel
      // keeps nothing back for metadata; the less we keep, the closer a full fs comes to its.
      long plenty = Math.min(METADATA_PLENTY, metaChunk / 4);
      long keep =
          groups.totalFree(BlockGroupItem.TYPE_METADATA) >= plenty
              ? 0
              : metaChunk * space.copies(space.info(BlockGroupItem.TYPE_METADATA));
      max = unallocatedBytes() - keep;
    }
    try {
      addChunk(type, max);
      return true;
    } catch (NoSpaceException full) {
      LOG.fine("no chunk for " + info.name() + ": " + full.getMessage());
      return false;
    }
  }

  /** Runs the queued extent reference changes now (the flusher does, to settle space). */
  public void runDelayedRefs() throws IOException {
    checkNotAborted();
    if (refs.isEmpty()) return;
    refRunner().runAll(refs);
  }

  private DelayedRefRunner refRunner() throws IOException {
    return new DelayedRefRunner(
        tree(ObjectIds.EXTENT_TREE), checksums(), groups, transid, sb.nodeSize());
  }

  /** Device items as the running transaction has them (chunk allocation changes bytes used). */
  public List<DevItem> devItems() throws IOException {
    List<DevItem> out = new ArrayList<>();
    for (long devid : fs.devices().all().keySet()) {
      byte[] raw =
          tree(ObjectIds.CHUNK_TREE).get(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid));
      if (raw != null) out.add(DevItem.parse(raw, 0));
    }
    return out;
  }

  /** Device space no chunk uses yet (past each device's reserved first MiB). */
  long unallocatedBytes() throws IOException {
    long sum = 0;
    for (DevItem d : devItems()) {
      if (excludedDevices.contains(d.devid())) continue; // being removed: no new chunk goes there
      long total = Math.min(d.totalBytes(), deviceLimit(d.devid()));
      sum += Math.max(0, total - d.bytesUsed() - DEVICE_RESERVED);
    }
    return sum;
  }

  /** The tree holding block group items (block group tree when enabled, else the extent tree). */
  WritableTree blockGroupItems() throws IOException {
    boolean bgTree = (sb.compatRoFlags() & FeatureFlags.COMPAT_RO_BLOCK_GROUP_TREE) != 0;
    return tree(bgTree ? ObjectIds.BLOCK_GROUP_TREE : ObjectIds.EXTENT_TREE);
  }

  /** The chunk tree uuid recorded in device extents. */
  byte[] chunkTreeUuidForItems() {
    return ctx.chunkTreeUuid();
  }

  /**
   * Data for every copy of its chunk: queued, written by {@link #writeQueuedData} or at the latest
   * by the commit, and read from memory until then. The engine keeps {@code buf}; the caller must
   * not change it afterwards.
   */
  public void writeData(long logical, byte[] buf, int len) throws IOException {
    pendingData.add(logical, buf, len);
  }

  /**
   * Writes the queued data now, in the calling thread (which should hold no lock others wait for).
   * A failed write leaves extents the trees point to without their data: the transaction aborts.
   */
  public void writeQueuedData() throws IOException {
    try {
      pendingData.drain();
    } catch (IOException | RuntimeException e) {
      abort(e);
      throw e;
    }
  }

  /**
   * Commits the running transaction: runs delayed references to a fixed point, records block
   * groups, free space and tree roots, writes every dirty block, flushes, then writes the
   * superblocks. Until the superblocks land the previous commit stays intact on disk.
   */
  public void commit() throws IOException {
    if (prepareCommit()) finishCommit();
  }

  /**
   * First half of a commit, which needs the trees to itself: settles the bookkeeping. Returns false
   * when there is nothing to commit.
   */
  public boolean prepareCommit() throws IOException {
    checkNotAborted();
    try {
      return prepare();
    } catch (IOException | RuntimeException | Error e) {
      failed(e);
      throw e;
    }
  }

  /**
   * Second half of a commit: writes and flushes the settled transaction, then switches to the next
   * one. Nothing may change the trees meanwhile, but readers may run: every block they can reach is
   * either unchanged on disk or in the dirty set until it has been written.
   */
  public void finishCommit() throws IOException {
    try {
      writeAndSwitch();
    } catch (IOException | RuntimeException | Error e) {
      failed(e);
      throw e;
    }
  }

  /**
   * Like a kernel transaction abort: the last commit stays the on-disk state and nothing more is
   * written, since the in-memory trees may be half changed.
   */
  private void failed(Throwable e) {
    aborted = e;
    LOG.severe("commit of transaction " + transid + " failed, filesystem is now read-only: " + e);
  }

  /**
   * Stops all further changes after a failure that left in-memory state half changed (such as
   * writeback failing): the last commit stays the on-disk state.
   */
  public void abort(Throwable cause) {
    if (aborted == null) aborted = cause;
    LOG.log(
        java.util.logging.Level.SEVERE,
        "transaction " + transid + " aborted, filesystem is now read-only: " + cause,
        cause);
  }

  /** Throws once a failed commit has made the filesystem read-only. */
  public void checkNotAborted() throws AbortedException {
    if (aborted != null) throw new AbortedException("read-only after a failed commit: " + aborted);
  }

  private boolean prepare() throws IOException {
    DeviceErrors errors = fs.devices().errors();
    if (dirty.all().isEmpty() && refs.isEmpty() && !hasPendingLabel() && !errors.anyChanged()) {
      return false;
    }
    writeDeviceErrors(errors.takeChanged());
    UnusedGroups.removeAll(this);
    settle();
    WritableTree rootTree = tree(ObjectIds.ROOT_TREE);
    if (!rootTree.rootChanged()) {
      // Readers check the root tree's generation against the superblock's, so a commit must
      // always produce a new root tree block: rewrite one item to copy it.
      Key anyRoot = RootItems.keyOf(rootTree, ObjectIds.EXTENT_TREE);
      rootTree.put(anyRoot, rootTree.get(anyRoot));
      settle();
    }
    return true;
  }

  private void writeAndSwitch() throws IOException {
    checkDirtyBlocks();
    // Data before the blocks that point to it, and all of it before the superblock.
    pendingData.drainAndWait();
    writeDirtyBlocks();
    fs.devices().flushAll();
    Superblock next =
        SuperblockWriter.write(
            fs,
            sb,
            transid,
            tree(ObjectIds.ROOT_TREE),
            trees,
            groups.totalUsed(),
            pendingSysChunkArray,
            takeIncompat(),
            takeLabel(),
            takeTotalBytesDelta(),
            takeDevicesAdded());
    fs.devices().flushAll();
    LOG.fine("committed transaction " + transid);
    sb = next;
    pendingSysChunkArray = null;
    // Readers of the old state were done with them before the commit; nothing maps there now.
    for (org.jbtrfs.volume.ChunkMapping c : removedChunks) fs.chunks().remove(c.logical());
    removedChunks.clear();
    // In an order concurrent readers can follow: the committed trees first (the same roots as the
    // live ones), then the new transaction (no live trees), then the dirty set (all on disk now).
    fs.reload(sb);
    startTransaction(transid + 1);
    // Sized from the new trees while their blocks are still in memory: the commit is done, and
    // reading them back from the disk must not be what could still fail it.
    long globalReserve = GlobalReserveSize.of(fs);
    for (Map.Entry<Long, byte[]> b : dirty.all().entrySet())
      fs.metadata().cacheWritten(b.getKey(), b.getValue());
    dirty.clear();
    groups.unpinAll();
    groups.clearDirty();
    space.transactionCommitted();
    space.setGlobalReserveSize(globalReserve);
  }

  /**
   * The device error counters that changed since the last commit go into the device tree's
   * DEV_STATS items, as the kernel's commit writes them.
   */
  private void writeDeviceErrors(Map<Long, long[]> changed) throws IOException {
    if (changed.isEmpty()) return;
    WritableTree devTree = tree(ObjectIds.DEV_TREE);
    for (Map.Entry<Long, long[]> e : changed.entrySet()) {
      devTree.put(DevStatsItem.key(e.getKey()), new DevStatsItem(e.getValue()).encode());
    }
  }

  /** Repeats the bookkeeping until nothing it does creates more bookkeeping. */
  private void settle() throws IOException {
    DelayedRefRunner runner = refRunner();
    for (int round = 0; ; round++) {
      if (round > 1000) throw new IllegalStateException("commit bookkeeping does not converge");
      runner.runAll(refs);
      boolean changed = BlockGroupWriter.writeDirty(this, groups);
      for (WritableTree t : new ArrayList<>(trees.values())) {
        if (t.owner() == ObjectIds.ROOT_TREE
            || t.owner() == ObjectIds.CHUNK_TREE
            || !t.rootChanged()) continue;
        changed |= RootItems.update(tree(ObjectIds.ROOT_TREE), t, transid);
      }
      if (!changed && refs.isEmpty()) return;
    }
  }

  /**
   * The kernel's write-time tree checker: every block of the commit is marked written and checked
   * before anything of the commit reaches a device, so a block that breaks a rule (a bug here, or
   * memory gone bad) fails the commit while the disk still holds the previous one, whole.
   */
  private void checkDirtyBlocks() throws FormatException {
    for (Map.Entry<Long, byte[]> e : dirty.all().entrySet()) {
      byte[] block = e.getValue();
      Le.put64(block, TreeHeader.FLAGS, Le.u64(block, TreeHeader.FLAGS) | TreeHeader.FLAG_WRITTEN);
      try {
        fs.metadata().checkBeforeWrite(e.getKey(), block);
      } catch (FormatException bad) {
        throw new FormatException(
            "block="
                + e.getKey()
                + " write time tree block corruption detected: "
                + bad.getMessage(),
            bad);
      }
    }
  }

  /** Above this, a run of adjacent dirty blocks is written in more than one request. */
  private static final int BLOCK_RUN_MAX = 1 << 20;

  /**
   * Writes every dirty tree block in address order, adjacent blocks together: fewer device
   * requests, and on RAID5/6 whole rows whose parity needs nothing read back.
   */
  private void writeDirtyBlocks() throws IOException {
    var csum = sb.checksumType();
    List<Long> order = new ArrayList<>(dirty.all().keySet());
    order.sort(Long::compareUnsigned);
    java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
    long runStart = 0;
    for (long bytenr : order) {
      byte[] block = dirty.all().get(bytenr);
      for (int i = 0; i < Superblock.CSUM_SIZE; i++) block[i] = 0;
      csum.compute(block, Superblock.CSUM_SIZE, block.length - Superblock.CSUM_SIZE, block, 0);
      boolean adjacent = run.size() > 0 && runStart + run.size() == bytenr;
      boolean sameChunk = adjacent && fs.chunks().lookup(runStart).end() >= bytenr + block.length;
      if (run.size() > 0 && (!sameChunk || run.size() + block.length > BLOCK_RUN_MAX)) {
        writer.write(runStart, run.toByteArray(), 0, run.size());
        run.reset();
      }
      if (run.size() == 0) runStart = bytenr;
      run.write(block, 0, block.length);
    }
    if (run.size() > 0) writer.write(runStart, run.toByteArray(), 0, run.size());
  }

  Map<Long, WritableTree> openTrees() {
    return trees;
  }

  Superblock superblock() {
    return sb;
  }
}
