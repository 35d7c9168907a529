package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.space.SpaceManager;
import org.jbtrfs.txn.WriteEngine;

/**
 * Turns a mount's buffered pages into extents: all of them (before a commit, or when too much is
 * buffered), a share of them (the flusher), or one file's (before its extents change directly).
 * Callers hold the write lock; the data itself is queued for the devices by the engine.
 */
final class PageWriteback {
  private final MountedWriter mw;
  private final Map<Long, DirtyPages> dirty;
  private final CompressionType compression;
  private final int level;

  PageWriteback(
      MountedWriter mw, Map<Long, DirtyPages> dirty, CompressionType compression, int level) {
    this.mw = mw;
    this.dirty = dirty;
    this.compression = compression;
    this.level = level;
  }

  private WriteEngine engine() {
    return mw.engine();
  }

  /** Every buffered page; a failure aborts the transaction (extents may be half inserted). */
  void allOrAbort() throws IOException {
    try {
      all();
    } catch (IOException | RuntimeException e) {
      engine().abort(e);
      throw e;
    }
  }

  void all() throws IOException {
    mw.storeDeferredInodes();
    for (Map.Entry<Long, DirtyPages> e : dirty.entrySet()) {
      FileTree ft = mw.opsForWriteback(e.getKey()).fileTree();
      Writeback wb = new Writeback(ft, compression, level);
      for (Map.Entry<Long, TreeMap<Long, byte[]>> f : e.getValue().takeAll().entrySet()) {
        pages(e.getKey(), ft, wb, f.getKey(), f.getValue(), e.getValue());
      }
    }
  }

  /**
   * The flusher's partial delalloc flush (the kernel's shrink_delalloc): writes back whole files
   * until {@code bytes} of buffered data, and at least an eighth of all of it, went out. It counts
   * data, not reservations, as the kernel does: a small file's metadata reservation is a hundred
   * times its data, so stopping as soon as the reservations asked for came back would write back a
   * handful of files per reservation and flush again on the next one. A failure aborts.
   */
  void some(long bytes) throws IOException {
    try {
      someUnguarded(bytes);
    } catch (IOException | RuntimeException e) {
      engine().abort(e);
      throw e;
    }
  }

  private void someUnguarded(long bytes) throws IOException {
    mw.storeDeferredInodes();
    long buffered = 0;
    for (DirtyPages dp : dirty.values()) buffered += dp.bytes();
    long target = Math.max(bytes, buffered / 8);
    long written = 0;
    for (Map.Entry<Long, DirtyPages> e : dirty.entrySet()) {
      DirtyPages dp = e.getValue();
      FileTree ft = null;
      Writeback wb = null;
      for (long ino : dp.inodes()) {
        if (written >= target) return;
        TreeMap<Long, byte[]> pages = dp.take(ino);
        if (pages == null) continue;
        written += (long) pages.size() * dp.pageSize();
        if (ft == null) {
          ft = mw.opsForWriteback(e.getKey()).fileTree();
          wb = new Writeback(ft, compression, level);
        }
        pages(e.getKey(), ft, wb, ino, pages, dp);
      }
    }
  }

  /** One file's buffered pages. */
  void file(Node n) throws IOException {
    mw.storeDeferredInodes();
    DirtyPages dp = dirty.get(n.subvolume().id());
    if (dp == null) return;
    TreeMap<Long, byte[]> pages = dp.take(n.ino());
    if (pages == null) return;
    FileTree ft = mw.opsForWriteback(n.subvolume().id()).fileTree();
    pages(n.subvolume().id(), ft, new Writeback(ft, compression, level), n.ino(), pages, dp);
  }

  /**
   * Turns one inode's taken pages into extents. Their data reservation is used by the extents
   * allocated now, and their metadata reservation covers the tree changes; a deleted inode's pages
   * just give theirs back.
   */
  private void pages(
      long sv, FileTree ft, Writeback wb, long ino, TreeMap<Long, byte[]> pages, DirtyPages dp)
      throws IOException {
    if (ft.tree().get(new Key(ino, ItemType.INODE_ITEM, 0)) == null) {
      engine().space().releaseDelalloc(sv, ino, (long) pages.size() * dp.pageSize(), 0);
    } else {
      try (SpaceManager.Reservation r = engine().space().startWriteback(sv, ino)) {
        wb.write(ino, pages);
      }
    }
    // Writeback copied the data out (or the inode is gone): the arrays can be reused.
    dp.recycle(pages.values());
  }
}
