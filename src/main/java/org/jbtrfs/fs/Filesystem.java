package org.jbtrfs.fs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import org.jbtrfs.format.BackupRoot;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.tree.BlockCache;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.MetadataReader;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.tree.check.CheckContext;
import org.jbtrfs.tree.check.SysChunkArrayRules;
import org.jbtrfs.volume.ChunkMap;
import org.jbtrfs.volume.DeviceSet;
import org.jbtrfs.volume.LogicalReader;

/**
 * An opened btrfs filesystem: its devices, chunk map and trees. Opening validates everything the
 * later reads depend on and refuses (with the reason) what it cannot handle.
 */
public final class Filesystem implements Closeable {
  private static final Logger LOG = Logger.getLogger(Filesystem.class.getName());

  private volatile Superblock sb;
  private final DeviceSet devices;
  private final ChunkMap chunks;
  private final LogicalReader logical;
  private final MetadataReader meta;
  private volatile Tree rootTree;
  private final Map<Long, Subvolume> subvolumes = new ConcurrentHashMap<>();

  /** Committed roots of file trees, dropped at every commit (subvolume objects stay). */
  private final Map<Long, Tree> committedTrees = new ConcurrentHashMap<>();

  private final MountOptions options;
  private final List<DevItem> devItems;
  private volatile Tree csumTree;
  private final DataReader data;
  private volatile LiveTrees liveTrees;

  /** Trees changed by a running transaction, which reads must see instead of the committed ones. */
  public interface LiveTrees {
    /**
     * The in-transaction view of tree {@code id}, or null if the transaction has not touched it.
     */
    Tree current(long id);
  }

  public void setLiveTrees(LiveTrees live) {
    this.liveTrees = live;
  }

  /** The newest version of tree {@code id}: the running transaction's if it changed it. */
  Tree live(long id, Tree committed) {
    LiveTrees l = liveTrees;
    if (l == null) return committed;
    Tree t = l.current(id);
    return t != null ? t : committed;
  }

  private final Timespec openedAt = Timespec.now();

  private Filesystem(
      Superblock sb,
      DeviceSet devices,
      ChunkMap chunks,
      LogicalReader logical,
      MetadataReader meta,
      Tree rootTree,
      MountOptions options,
      List<DevItem> devItems) {
    this.sb = sb;
    this.devices = devices;
    this.chunks = chunks;
    this.logical = logical;
    this.meta = meta;
    this.rootTree = rootTree;
    this.options = options;
    this.devItems = new java.util.concurrent.CopyOnWriteArrayList<>(devItems);
    this.data = new DataReader(this, options.extentCacheBytes());
  }

  public static Filesystem open(List<Path> paths, MountOptions options) throws IOException {
    return open(paths, options, d -> d);
  }

  /**
   * Like {@link #open(List, MountOptions)}, but every device is passed through {@code wrap} once
   * its superblock has been read, and the filesystem then does all I/O through the result. Lets
   * tests interpose on device I/O (fault injection, write counting) without touching the engine.
   */
  public static Filesystem open(
      List<Path> paths,
      MountOptions options,
      java.util.function.UnaryOperator<org.jbtrfs.device.Device> wrap)
      throws IOException {
    if (paths.isEmpty()) throw new IllegalArgumentException("no devices given");
    DeviceSet devices = new DeviceSet();
    try {
      Superblock sb = null;
      for (Path p : paths) {
        DeviceScanner.Scanned s = DeviceScanner.scan(p, !options.readOnly());
        if (sb != null && !Arrays.equals(sb.fsid(), s.superblock().fsid())) {
          s.device().close();
          throw new FormatException(p + " belongs to a different filesystem than " + paths.get(0));
        }
        long devid = s.superblock().devItem().devid();
        if (devices.present(devid)) {
          s.device().close();
          throw new FormatException(p + " is devid " + devid + ", which was already given");
        }
        devices.add(devid, wrap.apply(s.device()));
        if (sb == null || s.superblock().generation() > sb.generation()) sb = s.superblock();
      }
      return openWith(sb, devices, options);
    } catch (IOException | RuntimeException e) {
      devices.close();
      throw e;
    }
  }

  private static Filesystem openWith(Superblock sb, DeviceSet devices, MountOptions options)
      throws IOException {
    checkFeatures(sb, options);
    CheckContext itemChecks =
        CheckContext.of(
            sb.sectorSize(),
            sb.nodeSize(),
            sb.checksumType().size(),
            sb.incompatFlags(),
            options.readOnly(),
            sb.generation());
    SysChunkArrayRules.check(sb.sysChunkArray(), itemChecks);
    ChunkMap chunks = new ChunkMap();
    chunks.loadSysChunkArray(sb.sysChunkArray());
    LogicalReader logical = new LogicalReader(chunks, devices, devices.errors());
    MetadataReader meta =
        new MetadataReader(
            logical,
            new BlockCache(options.blockCacheBytes()),
            sb.checksumType(),
            sb.nodeSize(),
            sb.metadataUuid(),
            itemChecks);
    Tree chunkTree =
        new Tree(
            meta,
            sb.chunkRootBytenr(),
            sb.chunkRootLevel(),
            sb.chunkRootGeneration(),
            ObjectIds.CHUNK_TREE);
    List<DevItem> devItems;
    try {
      devItems = loadChunkTree(chunkTree, chunks);
    } catch (FormatException e) {
      // Nothing past the superblock's system chunks can be placed without it: say so by name.
      throw new FormatException(
          "the chunk tree cannot be read, so no data or metadata can be found: " + e.getMessage(),
          e);
    }
    checkDevices(devItems, devices, options, sb);
    Tree rootTree = openRootTree(sb, meta);
    if (sb.logRootBytenr() != 0) checkLogReplayOptions(sb, options);
    Filesystem fs = new Filesystem(sb, devices, chunks, logical, meta, rootTree, options, devItems);
    PersistedDeviceErrors.load(fs);
    if (options.mountChecks()) MountChecks.run(fs);
    return fs;
  }

  /**
   * A log tree left by a crash is replayed by a read-write mount (which writes); a read-only mount
   * must be told to ignore it, and ignoring it is only allowed read-only, as the kernel rules.
   */
  private static void checkLogReplayOptions(Superblock sb, MountOptions options)
      throws FormatException {
    if (options.readOnly() && !options.noLogReplay()) {
      throw new FormatException(
          "the filesystem has a log tree from an unclean shutdown (fsync log at "
              + sb.logRootBytenr()
              + "); a read-only mount cannot replay it: mount read-write to replay it, or with"
              + " -o ro,nologreplay to ignore it");
    }
    if (!options.readOnly() && options.noLogReplay()) {
      throw new FormatException(
          "the filesystem has a log tree from an unclean shutdown; nologreplay needs a read-only"
              + " mount (-o ro,nologreplay)");
    }
  }

  private static void checkFeatures(Superblock sb, MountOptions options) throws FormatException {
    long unsupported = sb.incompatFlags() & ~FeatureFlags.READ_SUPPORTED_INCOMPAT;
    if (unsupported != 0) {
      throw new FormatException(
          "unsupported incompat feature(s): "
              + String.join(", ", FeatureFlags.incompatNames(unsupported)));
    }
    long unknownFlags = sb.flags() & ~Superblock.SUPPORTED_FLAGS;
    if (unknownFlags != 0) {
      throw new FormatException(
          "unrecognized or unsupported super flag 0x" + Long.toHexString(unknownFlags));
    }
    if ((sb.flags() & Superblock.FLAG_CHANGING_FSID) != 0) {
      throw new FormatException("an fsid change was interrupted; finish it with btrfstune first");
    }
  }

  private static List<DevItem> loadChunkTree(Tree chunkTree, ChunkMap chunks) throws IOException {
    List<DevItem> devItems = new ArrayList<>();
    for (Cursor c = chunkTree.seekCeil(Key.MIN); c.valid(); c.next()) {
      if (c.type() == ItemType.CHUNK_ITEM) {
        ChunkItem item = ChunkItem.parse(c.raw(), c.dataOffset(), c.dataSize());
        chunks.add(ChunkMap.toMapping(c.offset(), item));
      } else if (c.type() == ItemType.DEV_ITEM) {
        if (c.dataSize() < DevItem.SIZE) throw new FormatException("dev item too small");
        devItems.add(DevItem.parse(c.raw(), c.dataOffset()));
      }
    }
    return devItems;
  }

  private static void checkDevices(
      List<DevItem> devItems, DeviceSet devices, MountOptions options, Superblock sb)
      throws FormatException {
    List<Long> missing = new ArrayList<>();
    for (DevItem d : devItems) if (!devices.present(d.devid())) missing.add(d.devid());
    if (!missing.isEmpty() && !options.degraded()) {
      throw new FormatException(
          "device(s) with devid "
              + missing
              + " missing (filesystem has "
              + sb.numDevices()
              + " devices); pass all devices or mount with -o degraded");
    }
    if (!missing.isEmpty()) LOG.warning("mounting degraded, missing devids " + missing);
  }

  /** The root tree from the superblock, else from the newest backup root that reads cleanly. */
  private static Tree openRootTree(Superblock sb, MetadataReader meta) throws IOException {
    Tree primary =
        new Tree(meta, sb.rootBytenr(), sb.rootLevel(), sb.generation(), ObjectIds.ROOT_TREE);
    try {
      primary.seekCeil(Key.MIN);
      return primary;
    } catch (IOException e) {
      LOG.warning("primary tree root unreadable (" + e.getMessage() + "), trying backup roots");
      List<BackupRoot> backups = new ArrayList<>(sb.backupRoots());
      backups.sort((a, b) -> Long.compareUnsigned(b.treeRootGen(), a.treeRootGen()));
      for (BackupRoot br : backups) {
        if (br.treeRoot() == 0) continue;
        Tree t =
            new Tree(
                meta, br.treeRoot(), br.treeRootLevel(), br.treeRootGen(), ObjectIds.ROOT_TREE);
        try {
          t.seekCeil(Key.MIN);
          LOG.warning("using backup root of generation " + br.treeRootGen());
          return t;
        } catch (IOException ignored) {
          // try the next older backup
        }
      }
      throw e;
    }
  }

  /**
   * Switches to a newly committed superblock: later reads start from its root tree, and cached
   * subvolume roots are dropped so they are looked up again.
   */
  public void reload(Superblock committed) {
    sb = committed;
    meta.itemChecks().committed(committed.generation());
    rootTree =
        new Tree(
            meta,
            committed.rootBytenr(),
            committed.rootLevel(),
            committed.generation(),
            ObjectIds.ROOT_TREE);
    committedTrees.clear();
    csumTree = null;
  }

  public Superblock superblock() {
    return sb;
  }

  public MountOptions options() {
    return options;
  }

  public ChunkMap chunks() {
    return chunks;
  }

  public LogicalReader logical() {
    return logical;
  }

  public MetadataReader metadata() {
    return meta;
  }

  public Tree rootTree() {
    return live(ObjectIds.ROOT_TREE, rootTree);
  }

  public DeviceSet devices() {
    return devices;
  }

  public List<DevItem> devItems() {
    return devItems;
  }

  /** A device just added to the filesystem (its dev item is in the running transaction). */
  public void addDevItem(DevItem item) {
    devItems.add(item);
  }

  /** Forgets a removed device's item. */
  public void removeDevItem(long devid) {
    devItems.removeIf(d -> d.devid() == devid);
  }

  public DataReader data() {
    return data;
  }

  /** When this filesystem was opened; the time shown for directories that exist only in memory. */
  public Timespec openedAt() {
    return openedAt;
  }

  public int sectorSize() {
    return sb.sectorSize();
  }

  /** The tree rooted by the ROOT_ITEM of {@code treeId} in the root tree, or null if absent. */
  public Tree treeOf(long treeId) throws IOException {
    RootItem ri = rootItem(treeId);
    return ri == null ? null : new Tree(meta, ri.bytenr(), ri.level(), ri.generation(), treeId);
  }

  /**
   * Tree {@code treeId} as it stands now (the running transaction's on a writable mount), or null
   * if there is none or it is a deleted subvolume still being dropped.
   */
  public Tree currentTreeOf(long treeId) throws IOException {
    if (treeId == ObjectIds.ROOT_TREE) return rootTree();
    RootItem ri = rootItem(treeId);
    if (ri == null || (ObjectIds.isFsTree(treeId) && ri.refs() == 0)) return null;
    return live(treeId, new Tree(meta, ri.bytenr(), ri.level(), ri.generation()));
  }

  public RootItem rootItem(long treeId) throws IOException {
    Cursor c = rootTree().seekCeil(new Key(treeId, ItemType.ROOT_ITEM, 0));
    if (!c.valid() || c.objectId() != treeId || c.type() != ItemType.ROOT_ITEM) return null;
    return RootItem.parse(c.raw(), c.dataOffset(), c.dataSize());
  }

  public Tree csumTree() throws IOException {
    Tree t = csumTree;
    if (t == null) {
      t = treeOf(ObjectIds.CSUM_TREE);
      csumTree = t;
    }
    return live(ObjectIds.CSUM_TREE, t);
  }

  /** Opens (once) the subvolume or snapshot with this tree id. */
  public Subvolume subvolume(long id) throws IOException {
    Subvolume s = subvolumes.get(id);
    if (s != null) return s;
    if (!ObjectIds.isFsTree(id)) throw new FormatException("tree " + id + " is not a subvolume");
    RootItem ri = rootItem(id);
    if (ri == null) throw new FormatException("subvolume " + id + " does not exist");
    // A deleted subvolume whose tree is still being dropped: gone, as the kernel sees it.
    if (ri.refs() == 0) throw new FormatException("subvolume " + id + " is deleted");
    s = new Subvolume(this, id, ri);
    Subvolume prev = subvolumes.putIfAbsent(id, s);
    return prev != null ? prev : s;
  }

  /**
   * The current root of file tree {@code id}: the running transaction's, else the last commit's.
   */
  Tree currentTree(long id) throws IOException {
    Tree committed = committedTrees.get(id);
    if (committed == null) {
      committed = treeOf(id);
      if (committed == null) throw new FormatException("subvolume " + id + " no longer exists");
      committedTrees.put(id, committed);
    }
    return live(id, committed);
  }

  /** The default subvolume: set with `btrfs subvolume set-default`, else the top-level tree. */
  public long defaultSubvolumeId() throws IOException {
    if ((sb.incompatFlags() & FeatureFlags.INCOMPAT_DEFAULT_SUBVOL) == 0) return ObjectIds.FS_TREE;
    Long id = Directories.lookupRootTreeDefault(this);
    return id != null ? id : ObjectIds.FS_TREE;
  }

  @Override
  public void close() throws IOException {
    devices.close();
  }
}
