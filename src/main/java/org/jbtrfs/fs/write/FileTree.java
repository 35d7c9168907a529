package org.jbtrfs.fs.write;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;

/**
 * One subvolume's file tree opened for change in the running transaction: inode items, the next
 * free inode number, and the clock every change stamps.
 */
public final class FileTree {
  private final WriteEngine engine;
  private final long subvolumeId;

  /** The next inode number; shared across transactions by a mount so numbers are never reused. */
  private final java.util.concurrent.atomic.AtomicLong nextIno;

  public FileTree(WriteEngine engine, long subvolumeId) {
    this(engine, subvolumeId, new java.util.concurrent.atomic.AtomicLong(-1));
  }

  public FileTree(
      WriteEngine engine, long subvolumeId, java.util.concurrent.atomic.AtomicLong nextIno) {
    this.engine = engine;
    this.subvolumeId = subvolumeId;
    this.nextIno = nextIno;
  }

  public WriteEngine engine() {
    return engine;
  }

  public long id() {
    return subvolumeId;
  }

  /** The tree itself; looked up per call because a commit replaces the engine's tree objects. */
  public WritableTree tree() throws IOException {
    return engine.tree(subvolumeId);
  }

  public long transid() {
    return engine.transid();
  }

  public static Timespec now() {
    return Timespec.now();
  }

  public InodeItem inode(long ino) throws IOException {
    byte[] raw = tree().get(new Key(ino, ItemType.INODE_ITEM, 0));
    if (raw == null)
      throw new FileNotFoundException("inode " + ino + " in subvolume " + subvolumeId);
    if (raw.length < InodeItem.SIZE) throw new FormatException("inode " + ino + " item too small");
    return InodeItem.parse(raw, 0);
  }

  /** Stores an inode item, stamping the running transaction into it. */
  public void putInode(long ino, InodeItem item) throws IOException {
    tree().put(new Key(ino, ItemType.INODE_ITEM, 0), item.withTransid(transid()).encode());
  }

  /** A fresh inode number: one past the highest object id in the tree. */
  public long allocateIno() throws IOException {
    if (nextIno.get() < 0) {
      Cursor c = tree().readView().seekFloor(new Key(ObjectIds.LAST_FREE, 0xff, -1L));
      long highest = c.valid() ? c.objectId() : ObjectIds.FIRST_FREE;
      nextIno.compareAndSet(-1, Math.max(highest, ObjectIds.FIRST_FREE) + 1);
    }
    return nextIno.getAndIncrement();
  }

  /** A new inode item with the given mode and owner, all times now, generation = transid. */
  public InodeItem newInode(int mode, long uid, long gid, long rdev, long flags) {
    Timespec t = now();
    return new InodeItem(
        transid(), transid(), 0, 0, 0, 1, uid, gid, mode, rdev, flags, 0, t, t, t, t);
  }
}
