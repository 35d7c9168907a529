package org.jbtrfs.fs.write;

import java.io.IOException;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.RootItemLayout;
import org.jbtrfs.format.RootRef;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.DeadSubvolumes;
import org.jbtrfs.txn.WriteEngine;

/**
 * Deletes a subvolume or snapshot in the running transaction, with the kernel's refusals: its
 * directory entry, ROOT_REF and ROOT_BACKREF and uuid tree entries go and it is marked dead (see
 * {@link DeadSubvolumes}); its tree is dropped afterwards, a piece per transaction, by the mount's
 * cleaner or the offline command, and resumed after an unmount or a crash.
 */
public final class SubvolumeDeletion {
  private final WriteEngine engine;

  public SubvolumeDeletion(WriteEngine engine) {
    this.engine = engine;
  }

  /** Deletes subvolume {@code id}: gone from the namespace now, its tree dropped later. */
  public void delete(long id) throws IOException {
    if (id == ObjectIds.FS_TREE) {
      throw new FsError(FsError.EPERM, "the top-level subvolume cannot be deleted");
    }
    if (id == engine.fs().defaultSubvolumeId()) {
      throw new FsError(FsError.EPERM, "subvolume " + id + " is the default subvolume");
    }
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    Cursor item = roots.readView().seekCeil(new Key(id, ItemType.ROOT_ITEM, 0));
    if (!item.valid() || item.objectId() != id || item.type() != ItemType.ROOT_ITEM) {
      throw new FsError(FsError.ENOENT, "subvolume " + id + " does not exist");
    }
    RootItem rootItem = RootItem.parse(item.raw(), item.dataOffset(), item.dataSize());
    if (rootItem.refs() == 0) {
      throw new FsError(FsError.ENOENT, "subvolume " + id + " is already deleted");
    }
    // Copied now: the cursor's block changes under it once the root tree does.
    int at = item.dataOffset() + RootItemLayout.RECEIVED_UUID;
    byte[] received =
        item.dataSize() >= RootItemLayout.SIZE
            ? java.util.Arrays.copyOfRange(item.raw(), at, at + 16)
            : null;
    Cursor nested = roots.readView().seekCeil(new Key(id, ItemType.ROOT_REF, 0));
    if (nested.valid() && nested.objectId() == id && nested.type() == ItemType.ROOT_REF) {
      throw new FsError(
          FsError.ENOTEMPTY, "subvolume " + id + " holds subvolume " + nested.offset());
    }
    Cursor back = roots.readView().seekCeil(new Key(id, ItemType.ROOT_BACKREF, 0));
    if (!back.valid() || back.objectId() != id || back.type() != ItemType.ROOT_BACKREF) {
      throw new FormatException("subvolume " + id + " has no ROOT_BACKREF");
    }
    long parent = back.offset();
    RootRef ref = RootRef.parse(back.raw(), back.dataOffset(), back.dataSize());
    if (engine.fs().subvolume(parent).isReadOnly()) {
      throw new FsError(FsError.EROFS, "its parent subvolume " + parent + " is read-only");
    }

    long linked =
        new Entries(new FileTree(engine, parent))
            .removeSubvolumeLink(ref.dirId(), ref.name(), ref.sequence());
    if (linked != id) {
      throw new FormatException("the entry of subvolume " + id + " links subvolume " + linked);
    }
    roots.delete(new Key(parent, ItemType.ROOT_REF, id));
    roots.delete(new Key(id, ItemType.ROOT_BACKREF, parent));
    removeUuid(rootItem.uuid(), ItemType.UUID_KEY_SUBVOL, id);
    if (received != null) removeUuid(received, ItemType.UUID_KEY_RECEIVED_SUBVOL, id);
    org.jbtrfs.fs.Subvolume gone = engine.fs().subvolume(id);
    DeadSubvolumes.markDead(engine, id);
    gone.markDeleted();
  }

  /**
   * Removes the entry {@code name} of directory {@code dir} (in subvolume {@code subvol}) that a
   * snapshot kept for a nested subvolume it does not hold (shown as an empty directory): only the
   * entry goes, as the kernel's btrfs_unlink_subvol does for it.
   */
  public void unlinkPlaceholder(long subvol, long dir, byte[] name) throws IOException {
    WritableTree tree = engine.tree(subvol);
    Cursor c = tree.readView().seekCeil(new Key(dir, ItemType.DIR_INDEX, 0));
    for (; c.valid() && c.objectId() == dir && c.type() == ItemType.DIR_INDEX; c.next()) {
      for (DirItem d : DirItem.parseAll(c.raw(), c.dataOffset(), c.dataSize())) {
        if (java.util.Arrays.equals(d.name(), name) && d.location().type() == ItemType.ROOT_ITEM) {
          long index = c.offset();
          new Entries(new FileTree(engine, subvol)).removeSubvolumeLink(dir, name, index);
          return;
        }
      }
    }
    throw new FsError(FsError.ENOENT, new String(name) + " is not a subvolume entry");
  }

  private void removeUuid(byte[] uuid, int type, long id) throws IOException {
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    if (roots.get(new Key(ObjectIds.UUID_TREE, ItemType.ROOT_ITEM, 0)) == null) return;
    WritableTree t = engine.tree(ObjectIds.UUID_TREE);
    Key key = new Key(Le.u64(uuid, 0), type, Le.u64(uuid, 8));
    byte[] ids = t.get(key);
    if (ids == null) return;
    byte[] kept = new byte[ids.length];
    int n = 0;
    for (int off = 0; off + 8 <= ids.length; off += 8) {
      if (Le.u64(ids, off) == id) continue;
      System.arraycopy(ids, off, kept, n, 8);
      n += 8;
    }
    if (n == 0) t.delete(key);
    else t.put(key, java.util.Arrays.copyOf(kept, n));
  }
}
