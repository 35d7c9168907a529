package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.TreeMap;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.compress.CompressionType;
import org.jbtrfs.space.FlushMode;
import org.jbtrfs.space.MetadataCost;
import org.jbtrfs.space.SpaceManager;
import org.jbtrfs.txn.WriteEngine;

/**
 * O_DIRECT writes: whole sectors go straight to new extents (with checksums) instead of the page
 * buffer, with data and metadata reserved before any of it is written (the kernel's lesson: reserve
 * before submitting I/O). Unaligned direct writes go through the page buffer, which is always safe.
 */
final class DirectWrite {
  private DirectWrite() {}

  /** Caller holds the write lock. */
  static void write(
      MountedWriter mw,
      PageWriteback writeback,
      CompressionType compression,
      int level,
      Node n,
      long off,
      byte[] buf,
      int len)
      throws IOException {
    WriteEngine engine = mw.engine();
    int ps = engine.fs().sectorSize();
    if (len == 0 || !Align.isAligned(off, ps) || !Align.isAligned(len, ps)) {
      mw.write(n, off, buf, len);
      return;
    }
    long sv = n.subvolume().id();
    engine.space().reserveData(len, FlushMode.FLUSH_ALL);
    SpaceManager.Reservation meta;
    try {
      meta =
          engine.space().reserveExtentWrite(MetadataCost.maxExtents(len), len, FlushMode.FLUSH_ALL);
    } catch (IOException | RuntimeException e) {
      engine.space().releaseData(len, false);
      throw e;
    }
    boolean dataHeld = true;
    try (meta) {
      // Buffered pages of the file go first, so the direct data lands on top of them.
      writeback.file(n);
      FileTree ft = mw.ops(sv).fileTree();
      InodeItem inode = ft.inode(n.ino());
      if (inode == null) throw new java.io.FileNotFoundException("inode " + n);
      Timespec now = Timespec.now();
      ft.putInode(
          n.ino(),
          inode
              .withSize(Math.max(inode.size(), off + len), inode.nbytes())
              .withTimes(inode.atime(), now, now));
      TreeMap<Long, byte[]> pages = new TreeMap<>();
      for (int p = 0; p < len; p += ps)
        pages.put((off + p) / ps, java.util.Arrays.copyOfRange(buf, p, p + ps));
      // The data reservation is used by the extents allocated now.
      engine.space().releaseData(len, true);
      dataHeld = false;
      try {
        new Writeback(ft, compression, level).write(n.ino(), pages);
      } catch (IOException | RuntimeException e) {
        engine.abort(e);
        throw e;
      }
    } finally {
      if (dataHeld) engine.space().releaseData(len, false);
    }
  }
}
