package org.jbtrfs.fs.write.logreplay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.fs.write.ExtentRangeDropper;
import org.jbtrfs.tree.Cursor;

/**
 * The first replay stage, for each logged inode item (as the kernel's LOG_WALK_REPLAY_INODES): drop
 * xattrs and directory entries the log says are gone, copy the inode item in, cut a regular file
 * back to its logged size, and queue the inode for the link count recount.
 */
final class InodeReplay {
  private final ReplayTarget t;

  InodeReplay(ReplayTarget t) {
    this.t = t;
  }

  void replay(long ino, byte[] logged) throws IOException {
    InodeItem item = InodeItem.parse(logged, 0);
    if (item.nlink() == 0) {
      // An fsynced file that had no name yet: it would only be deleted again.
      t.ignored.add(ino);
      return;
    }
    dropXattrsNotInLog(ino);
    if (FileType.isDir(item.mode())) dropEntriesNotInLog(ino);
    copyInodeItem(ino, logged);
    if ((item.mode() & FileType.S_IFMT) == FileType.S_IFREG) truncateToLoggedSize(ino);
    t.fixup.add(ino);
  }

  /** Every xattr of the inode that the log does not have was removed before the fsync. */
  private void dropXattrsNotInLog(long ino) throws IOException {
    List<Key> keys = new ArrayList<>();
    List<byte[]> items = new ArrayList<>();
    Cursor c = t.tree().readView().seekCeil(new Key(ino, ItemType.XATTR_ITEM, 0));
    for (; c.valid() && c.objectId() == ino && c.type() == ItemType.XATTR_ITEM; c.next()) {
      keys.add(c.key());
      items.add(c.data());
    }
    for (int i = 0; i < keys.size(); i++) {
      List<DirItem> all = DirItem.parseAll(items.get(i), 0, items.get(i).length);
      List<DirItem> keep = new ArrayList<>();
      for (DirItem d : all) if (t.log.hasXattr(ino, d.name())) keep.add(d);
      if (keep.size() == all.size()) continue;
      if (keep.isEmpty()) {
        t.tree().delete(keys.get(i));
      } else {
        byte[][] parts = new byte[keep.size()][];
        for (int j = 0; j < parts.length; j++) parts[j] = keep.get(j).encode();
        t.tree().put(keys.get(i), ByteArrays.concat(parts));
      }
    }
  }

  /**
   * Inside each dir index range the log covers, a subvolume entry missing from the log was unlinked
   * before the fsync: unlink it now.
   */
  private void dropEntriesNotInLog(long dir) throws IOException {
    if (!t.inodeExists(dir)) return; // a new directory: nothing to delete from
    for (long[] range : t.log.dirLogRanges(dir)) {
      record Name(long index, byte[] name) {}
      List<Name> gone = new ArrayList<>();
      Cursor c = t.tree().readView().seekCeil(new Key(dir, ItemType.DIR_INDEX, range[0]));
      for (;
          c.valid()
              && c.objectId() == dir
              && c.type() == ItemType.DIR_INDEX
              && Long.compareUnsigned(c.offset(), range[1]) <= 0;
          c.next()) {
        for (DirItem d : DirItem.parseAll(c.raw(), c.dataOffset(), c.dataSize())) {
          if (!t.log.hasDirIndex(dir, c.offset(), d.name()))
            gone.add(new Name(c.offset(), d.name()));
        }
      }
      for (Name n : gone) t.unlink(dir, n.name());
    }
  }

  /**
   * Copies the logged inode item over the subvolume's, keeping what the rest of the replay
   * rebuilds: nbytes (from the subvolume, or zero for a new inode, then adjusted per replayed
   * extent) and a directory's size (adjusted per name added or removed).
   */
  private void copyInodeItem(long ino, byte[] logged) throws IOException {
    Key key = ReplayTarget.inodeKey(ino);
    byte[] existing = t.tree().get(key);
    if (existing != null && Arrays.equals(existing, logged)) return;
    InodeItem src = InodeItem.parse(logged, 0);
    boolean srcDir = FileType.isDir(src.mode());
    InodeItem out;
    if (existing == null) {
      out = src.withSize(srcDir ? 0 : src.size(), 0);
    } else {
      InodeItem dst = InodeItem.parse(existing, 0);
      if (src.generation() == 0) {
        // Logged only to say the inode exists: the subvolume's item stays, except a regular
        // file's logged non-zero size.
        if (isReg(src) && isReg(dst) && src.size() != 0)
          t.tree().put(key, dst.withSize(src.size(), dst.nbytes()).encode());
        return;
      }
      long size = srcDir ? (FileType.isDir(dst.mode()) ? dst.size() : 0) : src.size();
      out = src.withSize(size, dst.nbytes());
    }
    if (out.generation() == 0) out = out.withGeneration(t.engine.transid());
    t.tree().put(key, out.encode());
  }

  private static boolean isReg(InodeItem i) {
    return (i.mode() & FileType.S_IFMT) == FileType.S_IFREG;
  }

  /**
   * Extents past the logged size go now, before extents are replayed: an fsync may have logged
   * preallocated extents past the size, which must stay.
   */
  private void truncateToLoggedSize(long ino) throws IOException {
    InodeItem i = t.ft.inode(ino);
    long from = Align.up(i.size(), t.engine.fs().sectorSize());
    long released = new ExtentRangeDropper(t.ft).drop(ino, from, Long.MAX_VALUE);
    if (released != 0) t.ft.putInode(ino, i.withSize(i.size(), i.nbytes() - released));
  }
}
