package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.txn.WriteEngine;

/**
 * A filesystem mounted read-write: one write engine, buffered file data, and the lock that keeps
 * readers off half-made changes. Every change takes the write lock; reads take the read lock. Data
 * is buffered in pages and written out as extents before every commit, so a commit never records a
 * size whose data is not on disk.
 */
public final class MountedWriter implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MountedWriter.class.getName());

  /** Write back when this much data is buffered. */
  private static final long DIRTY_LIMIT = 64L << 20;

  private final WriteEngine engine;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
  private final Map<Long, FsOps> ops = new ConcurrentHashMap<>();
  private final Map<Long, DirtyPages> dirty = new ConcurrentHashMap<>();
  private final CompressionType compression;
  private final int level;
  private volatile boolean changed;

  public MountedWriter(WriteEngine engine, CompressionType compression, int level) {
    this.engine = engine;
    this.compression = compression;
    this.level = level;
  }

  public ReentrantReadWriteLock lock() {
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
    storePendingInodes();
    return opsRaw(subvolumeId);
  }

  private FsOps opsRaw(long subvolumeId) {
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
          return o;
        });
  }

  /** Inode numbers are never reused within a mount, so no buffered state can meet a new owner. */
  private final Map<Long, java.util.concurrent.atomic.AtomicLong> nextIno =
      new ConcurrentHashMap<>();

  /** Drops pages and deferred inode updates of a deleted inode. */
  private void forgetBuffered(long subvolumeId, long ino) {
    DirtyPages dp = dirty.get(subvolumeId);
    if (dp != null) {
      TreeMap<Long, byte[]> pages = dp.take(ino);
      if (pages != null) engine.space().releaseData((long) pages.size() * dp.pageSize());
    }
    pendingInodes.keySet().removeIf(n -> n.subvolume().id() == subvolumeId && n.ino() == ino);
  }

  /**
   * Size and times changed by writes, not yet in the inode item: storing the item on every 128 KiB
   * write would copy a leaf each time, so it waits for the next other operation.
   */
  private final Map<Node, InodeItem> pendingInodes = new java.util.HashMap<>();

  private void storePendingInodes() throws IOException {
    if (pendingInodes.isEmpty()) return;
    for (Map.Entry<Node, InodeItem> e : pendingInodes.entrySet()) {
      opsRaw(e.getKey().subvolume().id()).fileTree().putInode(e.getKey().ino(), e.getValue());
    }
    pendingInodes.clear();
  }

  /** The inode as the mount sees it: with any size and times a write has not stored yet. */
  public InodeItem inode(Node n) throws IOException {
    InodeItem pending = pendingInodes.get(n);
    return pending != null ? pending : n.inode();
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
    write(n, off, (src, dst, dstOff, l) -> System.arraycopy(buf, (int) src, dst, dstOff, l), len);
  }

  /** As {@link #write(Node, long, byte[], int)}, copying straight from {@code src} into pages. */
  public void write(Node n, long off, Source src, int len) throws IOException {
    opsRaw(n.subvolume().id());
    DirtyPages dp = pages(n.subvolume().id());
    int ps = dp.pageSize();
    long end = off + len;
    // Reserve first: it may commit, which stores a newer inode (nbytes) than one read before.
    reserveNewPages(n, dp, off, end);
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
    pendingInodes.put(n, inode.withSize(size, inode.nbytes()).withTimes(inode.atime(), now, now));
    if (dp.bytes() > DIRTY_LIMIT) writebackOrAbort();
  }

  /**
   * Reserves data space for the pages this write dirties for the first time. When the disk looks
   * full, a commit first returns the space pinned by earlier deletions; only then is it ENOSPC.
   */
  private void reserveNewPages(Node n, DirtyPages dp, long off, long end) throws IOException {
    int ps = dp.pageSize();
    long fresh = 0;
    for (long idx = off / ps; idx <= (end - 1) / ps; idx++)
      if (dp.page(n.ino(), idx) == null) fresh += ps;
    if (fresh == 0) return;
    checkMetadata(false);
    try {
      engine.space().reserveData(fresh);
    } catch (org.jbtrfs.extent.NoSpaceException full) {
      commit();
      engine.space().reserveData(fresh);
    }
  }

  /**
   * Makes sure a change has the metadata it needs (see SpaceReservations#checkMetadata). Tree
   * blocks freed since the last commit stay pinned until the next one, so a run of deletes on a
   * full filesystem would otherwise eat the reserve it frees: when metadata looks short, a commit
   * first returns the pinned blocks, and only then is it ENOSPC. Caller holds the write lock.
   */
  public void checkMetadata(boolean freesSpace) throws IOException {
    try {
      engine.space().checkMetadata(freesSpace);
    } catch (org.jbtrfs.extent.NoSpaceException full) {
      commit();
      engine.space().checkMetadata(freesSpace);
    }
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
      long to = Math.min(pStart + ps, end);
      System.arraycopy(
          e.getValue(), (int) (from - pStart), out, outOff + (int) (from - pos), (int) (to - from));
    }
  }

  /** Sets the file size: buffered pages past it go, and the new last page is zeroed past EOF. */
  public void truncate(Node n, long size) throws IOException {
    FsOps o = ops(n.subvolume().id());
    DirtyPages dp = pages(n.subvolume().id());
    int ps = dp.pageSize();
    InodeItem inode = o.fileTree().inode(n.ino());
    if (size < inode.size()) {
      engine.space().releaseData(dp.dropFrom(n.ino(), Align.up(size, ps) / ps));
      if (!Align.isAligned(size, ps)) {
        long idx = size / ps;
        byte[] page = dp.page(n.ino(), idx);
        if (page == null) {
          reserveNewPages(n, dp, idx * ps, idx * ps + 1);
          page = new byte[ps];
          FileReader.read(n, inode, idx * ps, page, 0, ps);
          dp.put(n.ino(), idx, page);
        }
        java.util.Arrays.fill(page, (int) (size - idx * ps), ps, (byte) 0);
      }
    }
    o.data().truncate(n.ino(), size);
  }

  private void writebackOrAbort() throws IOException {
    try {
      writeback();
    } catch (IOException | RuntimeException e) {
      engine.abort(e);
      throw e;
    }
  }

  /** Turns every buffered page into extents (no commit). */
  public void writeback() throws IOException {
    storePendingInodes();
    for (Map.Entry<Long, DirtyPages> e : dirty.entrySet()) {
      FileTree ft = ops(e.getKey()).fileTree();
      Writeback wb = new Writeback(ft, compression, level);
      int ps = e.getValue().pageSize();
      for (Map.Entry<Long, TreeMap<Long, byte[]>> f : e.getValue().takeAll().entrySet()) {
        // The pages now become extents (or vanish with a deleted inode): their reservation ends.
        engine.space().releaseData((long) f.getValue().size() * ps);
        if (ft.tree().get(new Key(f.getKey(), ItemType.INODE_ITEM, 0)) != null)
          wb.write(f.getKey(), f.getValue());
        // Writeback copied the data out (or the inode is gone): the arrays can be reused.
        e.getValue().recycle(f.getValue().values());
      }
    }
  }

  /** Writes back all data and commits, if anything changed. Caller holds the write lock. */
  public void commit() throws IOException {
    if (!changed
        && pendingInodes.isEmpty()
        && dirty.values().stream().allMatch(DirtyPages::isEmpty)) return;
    try {
      writeback();
    } catch (IOException | RuntimeException e) {
      // Pages were taken and extents half inserted: committing now would record that.
      engine.abort(e);
      throw e;
    }
    engine.commit();
    ops.clear();
    changed = false;
  }

  /** Commit under the write lock (fsync, the periodic committer, unmount). */
  public void commitLocked() throws IOException {
    lock.writeLock().lock();
    try {
      commit();
    } finally {
      lock.writeLock().unlock();
    }
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

  /** statfs from the writer's own block group accounting, which is ahead of the trees. */
  public org.jbtrfs.fs.SpaceReport space() throws IOException {
    java.util.List<org.jbtrfs.fs.SpaceReport.Group> groups = new java.util.ArrayList<>();
    for (var bg : engine.groups().all())
      groups.add(new org.jbtrfs.fs.SpaceReport.Group(bg.flags(), bg.length(), bg.used()));
    return org.jbtrfs.fs.SpaceReport.compute(engine.fs(), groups, engine.space().devItems());
  }

  /**
   * fallocate: default and KEEP_SIZE preallocate, PUNCH_HOLE and ZERO_RANGE clear; returns 0 or
   * -errno.
   */
  public int fallocate(Node n, int mode, long off, long len) throws IOException {
    return new Preallocator(this, n).apply(mode, off, len);
  }

  /** Writes back the buffered pages of one file (before changing its extent map directly). */
  void writeback(Node n) throws IOException {
    storePendingInodes();
    DirtyPages dp = dirty.get(n.subvolume().id());
    if (dp == null) return;
    TreeMap<Long, byte[]> pages = dp.take(n.ino());
    if (pages != null) engine.space().releaseData((long) pages.size() * dp.pageSize());
    if (pages != null)
      new Writeback(ops(n.subvolume().id()).fileTree(), compression, level).write(n.ino(), pages);
  }

  /** Removes inodes left by a crash while still open (ORPHAN items), as mount does. */
  public int cleanOrphans(long subvolumeId) throws IOException {
    FsOps o = ops(subvolumeId);
    int n = 0;
    while (true) {
      Cursor c =
          o.fileTree()
              .tree()
              .readView()
              .seekCeil(new Key(ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, 0));
      if (!c.valid() || c.objectId() != ObjectIds.ORPHAN || c.type() != ItemType.ORPHAN_ITEM) break;
      long ino = c.offset();
      o.fileTree().tree().delete(c.key());
      o.deleteOrphan(ino);
      n++;
    }
    if (n > 0) LOG.info("removed " + n + " orphan inode(s) from subvolume " + subvolumeId);
    return n;
  }

  @Override
  public void close() throws IOException {
    commitLocked();
  }
}
