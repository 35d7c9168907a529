package org.jbtrfs.fs;

import java.io.IOException;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;

/** One file tree: the top-level tree (id 5), a subvolume or a snapshot. */
public final class Subvolume {
  private final Filesystem fs;
  private final long id;
  private final RootItem rootItem;

  /** The read-only flag as it stands now: a mount may change it (BTRFS_IOC_SUBVOL_SETFLAGS). */
  private volatile boolean readOnly;

  private volatile boolean deleted;

  Subvolume(Filesystem fs, long id, RootItem rootItem) {
    this.fs = fs;
    this.id = id;
    this.rootItem = rootItem;
    this.readOnly = (rootItem.flags() & RootItem.FLAG_RDONLY) != 0;
  }

  /** True for a read-only subvolume or snapshot: its files refuse changes with EROFS. */
  /**
   * Whether it was deleted while this filesystem is open: its tree is being dropped, so nodes still
   * cached in it (the kernel's dentries) must not read it any more.
   */
  public boolean isDeleted() {
    return deleted;
  }

  public void markDeleted() {
    deleted = true;
  }

  public boolean isReadOnly() {
    return readOnly;
  }

  /** Records a change of the read-only flag its root item got in the running transaction. */
  public void setReadOnly(boolean readOnly) {
    this.readOnly = readOnly;
  }

  public Filesystem fs() {
    return fs;
  }

  public long id() {
    return id;
  }

  public RootItem rootItem() {
    return rootItem;
  }

  /** The tree as of now (a commit or a change in the running transaction moves its root). */
  public Tree tree() throws IOException {
    return fs.currentTree(id);
  }

  /** The inode number of this subvolume's top directory (256). */
  public long rootDirIno() {
    return rootItem.rootDirId();
  }

  /** The inode item of {@code ino}, or null when it does not exist. */
  public InodeItem inode(long ino) throws IOException {
    Cursor c = tree().find(new Key(ino, ItemType.INODE_ITEM, 0));
    if (c == null) return null;
    if (c.dataSize() < InodeItem.SIZE)
      throw new FormatException("inode " + ino + ": item too small");
    return InodeItem.parse(c.raw(), c.dataOffset());
  }

  @Override
  public String toString() {
    return "subvolume " + id;
  }
}
