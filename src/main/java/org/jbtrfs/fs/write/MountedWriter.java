package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.space.FlushMode;
import org.jbtrfs.space.SpaceManager;
import org.jbtrfs.txn.DeadSubvolumes;
import org.jbtrfs.txn.WriteEngine;

/**
 * A filesystem mounted read-write: one write engine, buffered file data, and the lock that keeps
 * readers off half-made changes. Every change takes the write lock; reads take the read lock. Data
 * is buffered in pages and written out as extents before every commit, so a commit never records a
 * size whose data is not on disk.
 */
public final class MountedWriter implements AutoCloseable {
  /** Write back when this much data is buffered. */
  private static final long DIRTY_LIMIT = 64L << 20;

  private final WriteEngine engine;
  private final MountLock lock = new MountLock();
  private final Map<Long, FsOps> ops = new ConcurrentHashMap<>();
  private final Map<Long, DirtyPages> dirty = new ConcurrentHashMap<>();
  private final CompressionType compression;
  private final int level;
  private final DeferredInodes deferred;
  private final PageWriteback writeback;
  private volatile boolean changed;

  public MountedWriter(WriteEngine engine, CompressionType compression, int level) {
    this(engine, compression, level, AtimePolicy.RELATIME, true);
  }

  public MountedWriter(
      WriteEngine engine,
      CompressionType compression,
      int level,
      AtimePolicy atime,
      boolean directoryAtime) {
    this.engine = engine;
    this.compression = compression;
    this.level = level;
    this.deferred = new DeferredInodes(atime, directoryAtime);
    this.writeback = new PageWriteback(this, dirty, compression, level);
    engine.space().setFlushOps(new MountFlushOps(this));
    // Read repair, as the kernel's: a copy a read proved bad is rewritten from the good one, but
    // only while this mount takes changes (not remounted read-only, no failed commit).
    engine.fs().logical().repairWith(engine.fs().devices(), () -> !frozen && !engine.isAborted());
    engine.fs().metadata().repairDeferred();
  }

  /**
   * Notes that {@code n} was read (file data, directory listing, symlink target); the caller holds
   * the read lock. Its atime changes as the mount's atime policy says, stored with the next change.
   * Returns whether the atime changed.
   */
  public boolean accessed(Node n) throws IOException {
    if (frozen) return false; // remounted read-only: reads change nothing on disk
    if (isReadOnly(n.subvolume().id())) return false; // read-only snapshots keep their atimes
    InodeItem i = inode(n);
    if (i == null || !deferred.accessed(n, i)) return false;
    changed = true;
    return true;
  }

  /**
   * Reserves metadata for a change of {@code items} tree items before it starts (flushing, up to a
   * commit, when space is short). Changes that free space may borrow from the global reserve, so a
   * full filesystem can always delete. Caller holds the write lock and closes the handle when the
   * change is done.
   */
  public SpaceManager.Reservation reserveChange(int items, boolean freesSpace) throws IOException {
    return engine.space().reserveChange(items, FlushMode.FLUSH_ALL, freesSpace);
  }

  /** The mount's compress= algorithm (NONE without one). */
  public CompressionType compression() {
    return compression;
  }

  public MountLock lock() {
    return lock;
  }

  public WriteEngine engine() {
    return engine;
  }

  /**
   * Namespace operations for subvolume {@code id} (the caller holds the write lock). Inode updates
   * deferred by {@link #write} are stored first, so every operation sees them.
   */
  public FsOps ops(long subvolumeId) throws IOException {
    storeDeferredInodes();
    return opsRaw(subvolumeId);
  }

  private FsOps opsRaw(long subvolumeId) throws IOException {
    if (isReadOnly(subvolumeId)) {
      throw new FsError(FsError.EROFS, "subvolume " + subvolumeId + " is a read-only snapshot");
    }
    return opsForWriteback(subvolumeId);
  }

  /**
   * Operations for storing what was accepted before: buffered pages and deferred inode updates
   * still go out after their subvolume became read-only (BTRFS_IOC_SUBVOL_SETFLAGS), as the
   * kernel's writeback still writes them.
   */
  FsOps opsForWriteback(long subvolumeId) throws IOException {
    changed = true;
    return ops.computeIfAbsent(
        subvolumeId,
        id -> {
          FsOps o =
              new FsOps(
                  engine,
                  id,
                  nextIno.computeIfAbsent(id, k -> new java.util.concurrent.atomic.AtomicLong(-1)));
          o.setOnDelete(ino -> forgetBuffered(id, ino));
          o.setPosixAcls(posixAcls);
          return o;
        });
  }

  private volatile boolean posixAcls = true;

  /** Mount option noacl: new inodes inherit no ACLs (set before the first change). */
  public void setPosixAcls(boolean on) {
    this.posixAcls = on;
  }

  /** Inode numbers are never reused within a mount, so no buffered state can meet a new owner. */
  private final Map<Long, java.util.concurrent.atomic.AtomicLong> nextIno =
      new ConcurrentHashMap<>();

  /** Read-only snapshots (btrfs subvolume snapshot -r) refuse every change, as the kernel does. */
  private boolean isReadOnly(long subvolumeId) throws IOException {
    return engine.fs().subvolume(subvolumeId).isReadOnly();
  }

  /** Drops pages and deferred inode updates of a deleted inode. */
  private void forgetBuffered(long subvolumeId, long ino) {
    DirtyPages dp = dirty.get(subvolumeId);
    if (dp != null) {
      TreeMap<Long, byte[]> pages = dp.take(ino);
      if (pages != null)
        engine.space().releaseDelalloc(subvolumeId, ino, (long) pages.size() * dp.pageSize(), 0);
    }
    deferred.forget(subvolumeId, ino);
  }

  /** Stores the deferred inode updates (the flusher's delayed items), access times included. */
  void storeDeferredInodes() throws IOException {
    deferred.store((n, i) -> opsForWriteback(n.subvolume().id()).fileTree().putInode(n.ino(), i));
  }

  /** The inode as the mount sees it: with any size and times a write has not stored yet. */
  public InodeItem inode(Node n) throws IOException {
    return deferred.inode(n);
  }

  private DirtyPages pages(long subvolumeId) {
    return dirty.computeIfAbsent(
        subvolumeId, id -> new DirtyPages(engine.fs().sectorSize(), DIRTY_LIMIT));
  }

  /** Where written bytes come from: copies {@code len} bytes at {@code srcOff} into {@code dst}. */
  public interface Source {
    void copyTo(long srcOff, byte[] dst, int dstOff, int len);
  }

  /**
   * Writes {@code len} bytes at {@code off} into the file's buffered pages; updates size and times.
   */
  public void write(Node n, long off, byte[] buf, int len) throws IOException {
    write(n, off, arraySource(buf), len, FlushMode.FLUSH_ALL);
  }

  /** As {@link #write(Node, long, byte[], int)}, copying straight from {@code src} into pages. */
  public void write(Node n, long off, Source src, int len) throws IOException {
    write(n, off, src, len, FlushMode.FLUSH_ALL);
  }

  /**
   * A write in the middle of another change (fallocate zeroing edges): its reservation must not
   * commit, which would record the change half done.
   */
  void writeWithinChange(Node n, long off, byte[] buf, int len) throws IOException {
    write(n, off, arraySource(buf), len, FlushMode.FLUSH_LIMIT);
  }

  private static Source arraySource(byte[] buf) {
    return (src, dst, dstOff, l) -> System.arraycopy(buf, (int) src, dst, dstOff, l);
  }

  private void write(Node n, long off, Source src, int len, FlushMode mode) throws IOException {
    DirtyPages dp = pages(n.subvolume().id());
    int ps = dp.pageSize();
    long end = off + len;
    // Reserve first: it may commit, which stores a newer inode (nbytes) than one read before.
    reserveNewPages(n, dp, off, end, mode);
    opsRaw(n.subvolume().id());
    InodeItem inode = inode(n);
    if (inode == null) throw new java.io.FileNotFoundException("inode " + n);
    for (long pos = off; pos < end; ) {
      long idx = pos / ps;
      int inPage = (int) (pos - idx * ps);
      int n2 = (int) Math.min(ps - inPage, end - pos);
      byte[] page = dp.page(n.ino(), idx);
      if (page == null) {
        boolean whole = inPage == 0 && n2 == ps;
        page = dp.newPage(whole);
        if (!whole) FileReader.read(n, inode, idx * ps, page, 0, ps);
        dp.put(n.ino(), idx, page);
      }
      src.copyTo(pos - off, page, inPage, n2);
      pos += n2;
    }
    Timespec now = Timespec.now();
    long size = Math.max(inode.size(), end);
    deferred.put(n, inode.withSize(size, inode.nbytes()).withTimes(inode.atime(), now, now));
    if (dp.bytes() > DIRTY_LIMIT) writeback.allOrAbort();
  }

  /**
   * Reserves data, and the metadata writing it back will need, for the pages this write dirties for
   * the first time. Flushing may write pages back meanwhile, which makes more of them fresh, so it
   * counts again until the reservation covers them all.
   */
  private void reserveNewPages(Node n, DirtyPages dp, long off, long end, FlushMode mode)
      throws IOException {
    long sv = n.subvolume().id();
    long reserved = 0;
    for (int round = 0; ; round++) {
      long[] fresh = FreshPages.count(dp, n.ino(), off, end);
      if (fresh[0] <= reserved) {
        if (fresh[0] < reserved) {
          TreeMap<Long, byte[]> pages = dp.pages(n.ino());
          engine
              .space()
              .releaseDelalloc(sv, n.ino(), reserved - fresh[0], pages == null ? 0 : pages.size());
        }
        return;
      }
      if (round > 8)
        throw new IllegalStateException("buffered pages keep vanishing during a write");
      engine.space().reserveDelalloc(sv, n.ino(), fresh[0] - reserved, fresh[1], mode);
      reserved = fresh[0];
    }
  }

  /** O_DIRECT write (see {@link DirectWrite}). Caller holds the write lock. */
  public void writeDirect(Node n, long off, byte[] buf, int len) throws IOException {
    DirectWrite.write(this, writeback, compression, level, n, off, buf, len);
  }

  /** Copies buffered data over what was read from the trees for [pos, pos+len). */
  public void overlay(Node n, long pos, byte[] out, int outOff, int len) {
    DirtyPages dp = dirty.get(n.subvolume().id());
    if (dp == null) return;
    TreeMap<Long, byte[]> pages = dp.pages(n.ino());
    if (pages == null) return;
    int ps = dp.pageSize();
    long end = pos + len;
    for (Map.Entry<Long, byte[]> e :
        pages.subMap(pos / ps, true, (end - 1) / ps, true).entrySet()) {
      long pStart = e.getKey() * ps;
      long from = Math.max(pStart, pos);
      long to = Math.min(Align.endOf(pStart, ps), end);
      System.arraycopy(
          e.getValue(), (int) (from - pStart), out, outOff + (int) (from - pos), (int) (to - from));
    }
  }

  /** Sets the file size: buffered pages past it go, and the new last page is zeroed past EOF. */
  public void truncate(Node n, long size) throws IOException {
    DirtyPages dp = pages(n.subvolume().id());
    int ps = dp.pageSize();
    // The new last page is reserved before anything changes (the reservation may flush up to a
    // commit): a truncate that fails for space leaves the file as it was.
    InodeItem current = inode(n);
    boolean cutsSector = current != null && size < current.size() && !Align.isAligned(size, ps);
    if (cutsSector) {
      // The cut sector's on-disk copy is rewritten with its tail zeroed (FileData#truncate): one
      // more sector of data, reserved with the rest.
      engine.space().reserveData(ps, FlushMode.FLUSH_ALL);
      try {
        long idx = size / ps;
        if (dp.page(n.ino(), idx) == null)
          reserveNewPages(n, dp, idx * ps, idx * ps + 1, FlushMode.FLUSH_ALL);
      } catch (IOException | RuntimeException e) {
        engine.space().releaseData(ps, false);
        throw e;
      }
      engine.space().releaseData(ps, true);
    }
    try {
      truncateReserved(n, dp, size);
    } finally {
      if (cutsSector) engine.space().endDataAllocation();
    }
  }

  private void truncateReserved(Node n, DirtyPages dp, long size) throws IOException {
    int ps = dp.pageSize();
    FsOps o = ops(n.subvolume().id());
    InodeItem inode = o.fileTree().inode(n.ino());
    if (size < inode.size()) {
      long dropped = dp.dropFrom(n.ino(), Align.units(size, ps));
      TreeMap<Long, byte[]> left = dp.pages(n.ino());
      engine
          .space()
          .releaseDelalloc(n.subvolume().id(), n.ino(), dropped, left == null ? 0 : left.size());
      if (!Align.isAligned(size, ps)) {
        long idx = size / ps;
        byte[] page = dp.page(n.ino(), idx);
        if (page == null) {
          // Reserved above.
          page = new byte[ps];
          FileReader.read(n, inode, idx * ps, page, 0, ps);
          dp.put(n.ino(), idx, page);
        }
        ByteArrays.zero(page, (int) (size - idx * ps), ps);
      }
    }
    o.data().truncate(n.ino(), size);
  }

  /** Turns every buffered page into extents (no commit); a failure aborts the transaction. */
  void writebackOrAbort() throws IOException {
    writeback.allOrAbort();
  }

  /** The flusher's partial writeback (see {@link PageWriteback#some}). */
  void writebackSome(long bytes) throws IOException {
    writeback.some(bytes);
  }

  /** Writes back all data and commits, if anything changed. Caller holds the write lock. */
  public void commit() throws IOException {
    if (prepareCommit()) engine.finishCommit();
  }

  /**
   * Writes back buffered data and settles the transaction; false when nothing changed (device error
   * counters that changed are a change: the commit writes them). Caller holds the write lock.
   */
  private boolean prepareCommit() throws IOException {
    if (!changed
        && deferred.isEmpty()
        && dirty.values().stream().allMatch(DirtyPages::isEmpty)
        && !engine.fs().devices().errors().anyChanged()) return false;
    // Pages taken and extents half inserted by a failure must not be committed: it aborts.
    writeback.allOrAbort();
    changed = false;
    // FsOps hold the trees of this transaction; the next change starts from the new one.
    ops.clear();
    return engine.prepareCommit();
  }

  /**
   * Commit for fsync, the periodic committer and unmount. The tree changes are settled under the
   * write lock; the block writes and device flushes, the slow part, run with no lock held while
   * changes wait at the gate ({@link MountLock}), so reads go on while a commit waits for the disk.
   */
  public void commitLocked() throws IOException {
    lock.beginCommit();
    try {
      if (!prepareCommit()) return;
      lock.commitSettled();
      engine.finishCommit();
    } finally {
      lock.endCommit();
    }
  }

  /** A change that works on the trees as committed. */
  public interface CommittedChange<T> {
    T apply(WriteEngine engine) throws IOException;
  }

  /**
   * Commits what is pending, makes {@code change} alone in the next transaction and commits that
   * too, as the kernel commits a snapshot: a snapshot copies a committed root, and its result is on
   * disk when the caller hears of it. Caller holds the write lock.
   */
  public <T> T committedAlone(CommittedChange<T> change) throws IOException {
    commit();
    T result = change.apply(engine);
    changed = true;
    commit();
    return result;
  }

  /** Bytes of {@code n} buffered in pages (not yet extents). */
  public long bufferedBytes(Node n) {
    DirtyPages dp = dirty.get(n.subvolume().id());
    if (dp == null) return 0;
    var pages = dp.pages(n.ino());
    return pages == null ? 0 : (long) pages.size() * dp.pageSize();
  }

  /** Stores changed attributes (mode, owner, times) with ctime now. */
  public void setattr(Node n, InodeItem changed) throws IOException {
    FsOps o = ops(n.subvolume().id());
    o.fileTree()
        .putInode(n.ino(), changed.withTimes(changed.atime(), Timespec.now(), changed.mtime()));
  }

  /** statfs from the space infos, which are ahead of the trees. */
  public org.jbtrfs.fs.SpaceReport space() throws IOException {
    return org.jbtrfs.fs.SpaceReport.compute(
        engine.fs(), engine.space().statfsGroups(), engine.devItems());
  }

  /**
   * fallocate: default and KEEP_SIZE preallocate, PUNCH_HOLE and ZERO_RANGE clear; returns 0 or
   * -errno.
   */
  public int fallocate(Node n, int mode, long off, long len) throws IOException {
    if ((mode & Preallocator.PUNCH_HOLE) == 0 && len > 0) makeRoomForData(len);
    return new Preallocator(this, n).apply(mode, off, len);
  }

  /**
   * Before a preallocation starts: when {@code len} bytes of data do not fit, flush (up to a commit
   * that returns pinned space) while no part of the change is done yet. The preallocation itself
   * then reserves exactly what its holes need without committing.
   */
  private void makeRoomForData(long len) throws IOException {
    try {
      engine.space().reserveData(len, FlushMode.FLUSH_ALL);
      engine.space().releaseData(len, false);
    } catch (org.jbtrfs.extent.NoSpaceException notAll) {
      // The holes may need less than the whole range: the preallocation decides.
    }
  }

  /**
   * Writes back the buffered pages of one file into extents, so its extent map tells data from
   * holes (lseek's SEEK_DATA and SEEK_HOLE). Caller holds the write lock.
   */
  public void writebackFile(Node n) throws IOException {
    writeback(n);
  }

  /** Writes back the buffered pages of one file (before changing its extent map directly). */
  void writeback(Node n) throws IOException {
    writeback.file(n);
  }

  /** Removes inodes left by a crash while still open (ORPHAN items), as mount does. */
  public int cleanOrphans(long subvolumeId) throws IOException {
    return OrphanCleanup.run(this, subvolumeId);
  }

  /** Items removing an orphan inode changes: orphan item, inode, its extents' items. */
  public static final int ORPHAN_ITEMS = 3;

  private SubvolumeCleaner cleaner;

  /** Remounted read-only: no change is taken (see {@link #freeze}). */
  private volatile boolean frozen;

  /**
   * {@code mount -o remount,ro} of this read-write mount: from now on no change is taken (the
   * caller answers EROFS), reads leave atimes alone and deleted subvolumes wait, and what changed
   * before is committed before this returns, so the devices hold everything and stay as they are
   * until {@link #thaw}. Changes already under way finish first and are in that commit.
   */
  public void freeze() throws IOException {
    frozen = true;
    commitLocked();
  }

  /** {@code mount -o remount,rw}: changes are taken again, and the cleaner resumes. */
  public void thaw() {
    frozen = false;
    subvolumeDeleted();
  }

  public boolean frozen() {
    return frozen;
  }

  /**
   * Starts dropping deleted subvolumes in the background (those an earlier mount or the kernel left
   * half dropped first); closing the result stops it between pieces.
   */
  public AutoCloseable startCleaner() {
    cleaner = new SubvolumeCleaner(this);
    return cleaner;
  }

  /** A subvolume was deleted: its drop can start. */
  public void subvolumeDeleted() {
    if (cleaner != null) cleaner.wake();
  }

  /**
   * Drops a piece of the first deleted subvolume in a transaction of its own and commits it; false
   * when no subvolume waits. Takes the write lock itself.
   */
  boolean dropDeadSubvolumePiece(long leafBudget) throws IOException {
    while (true) {
      if (frozen) return false; // woken again by thaw()
      lock.beginChange();
      try {
        engine.checkNotAborted();
        Long id = null;
        for (long dead : DeadSubvolumes.pending(engine)) {
          if (!busySubvolumes.test(dead)) {
            id = dead;
            break;
          }
        }
        if (id == null) return false;
        // Writes through files that were open when it was deleted: committed first, so the drop
        // starts from a tree nothing else changes.
        if (!engine.treeChangedInTransaction(id)) {
          try (SpaceManager.Reservation r = reserveChange(DROP_PIECE_ITEMS, true)) {
            DeadSubvolumes.dropSome(engine, id, leafBudget);
          }
          changed = true;
          break;
        }
      } finally {
        lock.endChange();
      }
      commitLocked();
    }
    commitLocked();
    return true;
  }

  private java.util.function.LongPredicate busySubvolumes = id -> false;

  /** Which deleted subvolumes still have open files (their drop waits). */
  public void setBusySubvolumes(java.util.function.LongPredicate busy) {
    busySubvolumes = busy;
  }

  /** Items a drop piece changes itself: the root item and the orphan item. */
  private static final int DROP_PIECE_ITEMS = 2;

  @Override
  public void close() throws IOException {
    try {
      commitLocked();
    } finally {
      engine.fs().logical().repairWith(null, null);
    }
  }
}
