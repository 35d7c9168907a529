package org.jbtrfs.space;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.extent.SpaceListener;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.volume.RaidProfile;

/**
 * Space accounting and reservations of one read-write filesystem: a {@link SpaceInfo} per block
 * group type kept current by the allocator, the block reserves (global, one per running change,
 * delayed refs, and buffered data's per inode), and the flusher that makes room when a reservation
 * does not fit. Reservations are taken before a change starts: a change that could not finish for
 * lack of space would leave a half-done transaction.
 *
 * <p>Except for the space infos (which lock themselves), callers serialize access: the mount's
 * write lock.
 */
public final class SpaceManager implements SpaceListener {
  private static final long TYPE_MASK =
      BlockGroupItem.TYPE_DATA | BlockGroupItem.TYPE_METADATA | BlockGroupItem.TYPE_SYSTEM;

  /** The share of the global reserve that must remain when a delete borrows from it (50%). */
  private static final int GLOBAL_MIN_PERCENT = 50;

  private final MetadataCost cost;
  private final Map<Long, SpaceInfo> infos = new TreeMap<>();
  private final Map<Long, Long> profiles = new HashMap<>();
  private final long dataChunkSize;
  private final Deque<BlockReserve> active = new ArrayDeque<>();
  private final Map<DelallocKey, Delalloc> delalloc = new HashMap<>();
  private final ReservationFlusher flusher;
  private BlockReserve global;
  private BlockReserve delayedRefs;
  private BlockReserve delallocMeta;
  private volatile long unallocated;
  private FlushOps ops;

  /** Buffered data of one inode: data bytes, file extents it becomes, metadata reserved for it. */
  private static final class Delalloc {
    long data;
    long extents;
    long meta;
  }

  private record DelallocKey(long subvolume, long ino) {}

  public SpaceManager(MetadataCost cost, long dataChunkSize, FlushOps defaultOps) {
    this.cost = cost;
    this.dataChunkSize = dataChunkSize;
    this.ops = defaultOps;
    this.flusher = new ReservationFlusher(new CurrentOps());
  }

  /** The operations the flusher runs (the mount supplies writeback of its buffered data). */
  public void setFlushOps(FlushOps ops) {
    this.ops = ops;
  }

  // ---- space infos ----

  private SpaceInfo infoFor(long flags) {
    long type = flags & TYPE_MASK;
    SpaceInfo si = infos.get(type);
    if (si == null) {
      si = new SpaceInfo(type);
      si.setCapacity(new DeviceCapacity());
      infos.put(type, si);
      if ((type & BlockGroupItem.TYPE_METADATA) != 0) {
        global = new BlockReserve(BlockReserve.Kind.GLOBAL, si);
        delayedRefs = new BlockReserve(BlockReserve.Kind.DELAYED_REFS, si);
        delallocMeta = new BlockReserve(BlockReserve.Kind.DELALLOC, si);
      }
    }
    profiles.put(type, flags & RaidProfile.PROFILE_MASK);
    return si;
  }

  /** The space info holding {@code typeFlag} (data or metadata; mixed groups hold both). */
  public SpaceInfo info(long typeFlag) {
    for (SpaceInfo si : infos.values()) if ((si.typeFlags() & typeFlag) != 0) return si;
    return null;
  }

  public List<SpaceInfo> infos() {
    return new ArrayList<>(infos.values());
  }

  public BlockReserve globalReserve() {
    return global;
  }

  public BlockReserve delayedRefsReserve() {
    return delayedRefs;
  }

  public BlockReserve delallocReserve() {
    return delallocMeta;
  }

  @Override
  public void groupAdded(long flags, long length, long used, long unusable) {
    infoFor(flags).addGroup(length, used, unusable);
  }

  @Override
  public void groupRemoved(long flags, long length, long unusable) {
    // Not infoFor: the removed group's profile must not become the type's profile.
    SpaceInfo si = infos.get(flags & TYPE_MASK);
    if (si != null) si.removeGroup(length, unusable);
  }

  @Override
  public void allocated(long flags, long len) {
    infoFor(flags).allocated(len);
  }

  @Override
  public void freedUncommitted(long flags, long len) {
    infoFor(flags).freedUncommitted(len);
  }

  @Override
  public void pinned(long flags, long len) {
    infoFor(flags).pinned(len);
  }

  /** How many copies of each byte {@code info}'s profile keeps (1 for SINGLE and RAID0). */
  public int copies(SpaceInfo info) {
    long profile = profiles.getOrDefault(info.typeFlags(), 0L);
    return Math.max(1, RaidProfile.fromFlags(profile).ncopies());
  }

  /**
   * The space infos as statfs wants them: per type its profile, total and the bytes allocated (the
   * kernel's bytes_used, which counts extents as soon as their references run; here that is used
   * plus this transaction's reserved).
   */
  public List<org.jbtrfs.fs.SpaceReport.Group> statfsGroups() {
    List<org.jbtrfs.fs.SpaceReport.Group> out = new ArrayList<>();
    for (SpaceInfo si : infos.values()) {
      SpaceCounters c = si.counters();
      out.add(
          new org.jbtrfs.fs.SpaceReport.Group(
              si.typeFlags() | profiles.getOrDefault(si.typeFlags(), 0L),
              c.total(),
              c.used() + c.reserved()));
    }
    return out;
  }

  /** Unallocated device space (before profile copies), kept current by chunk allocation. */
  public void setUnallocated(long bytes) {
    unallocated = bytes;
  }

  /** Resizes the global reserve (after mount and every commit) and holds it in full. */
  public void setGlobalReserveSize(long size) {
    if (global == null) return;
    global.setSize(size);
    global.refill();
  }

  /** A commit is on disk: allocations become used, pinned space free, delayed refs all ran. */
  public void transactionCommitted() {
    for (SpaceInfo si : infos.values()) si.committed();
    if (delayedRefs != null) delayedRefs.release();
    // The commit's own tree changes may have drawn on the global reserve.
    if (global != null) global.refill();
  }

  private final class DeviceCapacity implements Capacity {
    @Override
    public long unallocatedFor(SpaceInfo info) {
      return unallocated / copies(info);
    }

    @Override
    public long dataChunkSize() {
      return dataChunkSize;
    }

    @Override
    public long globalReserveSize() {
      return global == null ? 0 : global.size();
    }
  }

  // ---- metadata reservations for changes ----

  /**
   * Reserves metadata for a change of {@code items} tree items (and their delayed refs) and makes
   * it the reserve tree block allocations draw from until the returned handle closes. A change that
   * frees space ({@code mayUseGlobal}: unlink, rmdir, truncate, orphan cleanup) borrows from the
   * global reserve when flushing could not make room, so a full filesystem can be cleaned.
   */
  public Reservation reserveChange(int items, FlushMode mode, boolean mayUseGlobal)
      throws IOException {
    SpaceInfo meta = info(BlockGroupItem.TYPE_METADATA);
    BlockReserve r = new BlockReserve(BlockReserve.Kind.TRANSACTION, meta);
    long refBytes = cost.delayedRefs(items);
    long bytes = cost.insert(items) + refBytes;
    try {
      flusher.reserve(meta, bytes, mode);
      r.addReserved(bytes);
    } catch (NoSpaceException full) {
      if (!mayUseGlobal || !borrowFromGlobal(r, cost.insert(items))) throw full;
      refBytes = 0;
    }
    active.push(r);
    return new Reservation(r, refBytes, false);
  }

  /**
   * Moves {@code bytes} of the global reserve into {@code to}, if at least half of the reserve
   * stays (the kernel's btrfs_cond_migrate_bytes).
   */
  private boolean borrowFromGlobal(BlockReserve to, long bytes) {
    if (global == null) return false;
    long min = global.size() * GLOBAL_MIN_PERCENT / 100;
    if (global.reserved() < min + bytes) return false;
    global.migrateTo(to, bytes);
    return true;
  }

  /** A change's reservation: closing it gives back what its tree changes did not use. */
  public final class Reservation implements AutoCloseable {
    private final BlockReserve reserve;
    private final long refBytes;
    private final boolean allocatesData;
    private boolean closed;

    private Reservation(BlockReserve reserve, long refBytes, boolean allocatesData) {
      this.reserve = reserve;
      this.refBytes = refBytes;
      this.allocatesData = allocatesData;
    }

    /**
     * Ends the change: what it set aside for its delayed refs moves to the delayed refs reserve
     * (they run at commit), the rest is released, and the global reserve is topped up again.
     */
    @Override
    public void close() {
      if (closed) return;
      closed = true;
      if (allocatesData) endDataAllocation();
      active.remove(reserve);
      reserve.migrateTo(delayedRefs, refBytes);
      reserve.release();
      if (global != null) global.refill();
    }
  }

  /**
   * A tree block was allocated: it uses up the running change's reservation, then the delayed refs
   * reserve (commit-time changes), then the global reserve, which is refilled after.
   */
  public void chargeMetadata(long len) {
    long left = len;
    BlockReserve top = active.peek();
    if (top != null) left -= top.consume(left);
    if (left > 0 && delayedRefs != null) left -= delayedRefs.consume(left);
    if (left > 0 && global != null) global.consume(left);
  }

  // ---- data ----

  /** Reserves data bytes (fallocate, direct I/O) with flushing as {@code mode} allows. */
  public void reserveData(long bytes, FlushMode mode) throws IOException {
    SpaceInfo data = info(BlockGroupItem.TYPE_DATA);
    if (data != null) flusher.reserve(data, bytes, mode);
  }

  /**
   * Gives reserved data bytes back; {@code toAllocate} when they are about to be allocated (the
   * reservation is used, not freed).
   */
  public void releaseData(long bytes, boolean toAllocate) {
    SpaceInfo data = info(BlockGroupItem.TYPE_DATA);
    if (data == null) return;
    if (toAllocate) data.expectAllocation(bytes);
    else data.releaseMayUse(bytes);
  }

  /** Data allocation for reserved bytes is over; what it did not use is given back. */
  public void endDataAllocation() {
    SpaceInfo data = info(BlockGroupItem.TYPE_DATA);
    if (data != null) data.endAllocation();
  }

  /** Reserves metadata for writing {@code dataBytes} as at most {@code extents} file extents. */
  public Reservation reserveExtentWrite(long extents, long dataBytes, FlushMode mode)
      throws IOException {
    SpaceInfo meta = info(BlockGroupItem.TYPE_METADATA);
    BlockReserve r = new BlockReserve(BlockReserve.Kind.TRANSACTION, meta);
    long bytes = cost.delalloc(extents, dataBytes) + cost.delayedRefs(extents);
    flusher.reserve(meta, bytes, mode);
    r.addReserved(bytes);
    active.push(r);
    return new Reservation(r, cost.delayedRefs(extents), true);
  }

  /**
   * Reserves data and metadata for {@code dataBytes} of newly buffered data of one inode, which add
   * {@code newExtents} file extents (0 when they extend a buffered range). All or nothing.
   */
  public void reserveDelalloc(
      long subvolume, long ino, long dataBytes, long newExtents, FlushMode mode)
      throws IOException {
    reserveData(dataBytes, mode);
    DelallocKey key = new DelallocKey(subvolume, ino);
    try {
      Delalloc d = delalloc.get(key);
      long had = d == null ? 0 : d.meta;
      long need =
          cost.delalloc(
              (d == null ? 0 : d.extents) + newExtents, (d == null ? 0 : d.data) + dataBytes);
      SpaceInfo meta = info(BlockGroupItem.TYPE_METADATA);
      long more = Math.max(0, need - had);
      flusher.reserve(meta, more, mode);
      // Flushing may have written this inode back meanwhile: look it up again.
      d = delalloc.computeIfAbsent(key, k -> new Delalloc());
      d.data += dataBytes;
      d.extents += newExtents;
      d.meta += more;
      delallocMeta.addReserved(more);
    } catch (IOException | RuntimeException e) {
      releaseData(dataBytes, false);
      throw e;
    }
  }

  /**
   * {@code dataBytes} of an inode's buffered data went away (truncated, or the inode deleted); its
   * metadata reservation shrinks to what the rest needs.
   */
  public void releaseDelalloc(long subvolume, long ino, long dataBytes, long pagesLeft) {
    DelallocKey key = new DelallocKey(subvolume, ino);
    Delalloc d = delalloc.get(key);
    if (d == null) return;
    long n = Math.min(dataBytes, d.data);
    releaseData(n, false);
    d.data -= n;
    if (d.data == 0) {
      delalloc.remove(key);
      releaseDelallocMeta(d.meta);
      return;
    }
    d.extents = Math.min(d.extents, Math.max(1, pagesLeft));
    long keep = cost.delalloc(d.extents, d.data);
    if (d.meta > keep) {
      releaseDelallocMeta(d.meta - keep);
      d.meta = keep;
    }
  }

  private void releaseDelallocMeta(long bytes) {
    delallocMeta.releaseBytes(bytes);
  }

  /**
   * An inode's buffered data is being written back: its data reservation is used by the extents
   * about to be allocated, and its metadata reservation becomes the reserve those tree changes draw
   * from until the returned handle closes.
   */
  public Reservation startWriteback(long subvolume, long ino) {
    Delalloc d = delalloc.remove(new DelallocKey(subvolume, ino));
    SpaceInfo meta = info(BlockGroupItem.TYPE_METADATA);
    BlockReserve r = new BlockReserve(BlockReserve.Kind.TRANSACTION, meta);
    if (d != null) {
      releaseData(d.data, true);
      delallocMeta.migrateTo(r, d.meta);
    }
    active.push(r);
    return new Reservation(r, 0, true);
  }

  // ---- flushing ----

  /**
   * The operations the mount set (or the engine's defaults), plus the bookkeeping they imply:
   * delayed refs that ran need no reservation any more.
   */
  private final class CurrentOps implements FlushOps {
    @Override
    public void flushDelayedItems() throws IOException {
      ops.flushDelayedItems();
    }

    @Override
    public void runDelayedRefs() throws IOException {
      ops.runDelayedRefs();
      if (delayedRefs != null) delayedRefs.release();
    }

    @Override
    public void flushDelalloc(long bytes) throws IOException {
      ops.flushDelalloc(bytes);
    }

    @Override
    public void flushAllDelalloc() throws IOException {
      ops.flushAllDelalloc();
    }

    @Override
    public boolean allocateChunk(SpaceInfo info, ChunkForce force) throws IOException {
      return ops.allocateChunk(info, force);
    }

    @Override
    public void commit() throws IOException {
      ops.commit();
    }
  }
}
