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
  /** The committed tree as of {@link Filesystem#epoch()} {@code epoch}; refreshed after a commit. */
  private volatile Tree tree;
  private volatile long epoch;

  Subvolume(Filesystem fs, long id, RootItem rootItem, Tree tree) {
    this.fs = fs;
    this.id = id;
    this.rootItem = rootItem;
    this.tree = tree;
    this.epoch = fs.epoch();
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

  public Tree tree() {
    return fs.live(id, committedTree());
  }

  /**
   * The newest committed root of this tree. A commit moves the root to new blocks (and may free
   * the old ones), so a root read before the last commit must be looked up again.
   */
  private Tree committedTree() {
    long now = fs.epoch();
    Tree t = tree;
    if (epoch == now) return t;
    try {
      RootItem ri = fs.rootItem(id);
      if (ri != null) t = fs.openTree(ri);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("subvolume " + id + ": root item unreadable", e);
    }
    tree = t;
    epoch = now;
    return t;
  }

  /** The inode number of this subvolume's top directory (256). */
  public long rootDirIno() {
    return rootItem.rootDirId();
  }

  /** The inode item of {@code ino}, or null when it does not exist. */
  public InodeItem inode(long ino) throws IOException {
    Cursor c = tree().find(new Key(ino, ItemType.INODE_ITEM, 0));
    if (c == null) return null;
    if (c.dataSize() < InodeItem.SIZE) throw new FormatException("inode " + ino + ": item too small");
    return InodeItem.parse(c.raw(), c.dataOffset());
  }

  @Override
  public String toString() {
    return "subvolume " + id;
  }
}
