package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.RootItemLayout;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;

/**
 * A subvolume's settings in the running transaction: its read-only flag (`btrfs property set ro`,
 * BTRFS_IOC_SUBVOL_SETFLAGS) and which subvolume is the default (`btrfs subvolume set-default`, the
 * "default" entry of the root tree's directory, with the DEFAULT_SUBVOL incompat bit).
 */
public final class SubvolumeSettings {
  private static final byte[] DEFAULT = "default".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private final WriteEngine engine;

  public SubvolumeSettings(WriteEngine engine) {
    this.engine = engine;
  }

  /**
   * Sets or clears the read-only flag. A received subvolume (one with a received uuid) is not made
   * writable: incremental send would trust content that changed (btrfs-progs asks for -f and then
   * forgets the received uuid; not done here).
   */
  public void setReadOnly(long id, boolean readOnly) throws IOException {
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    Cursor c = roots.readView().seekCeil(new Key(id, ItemType.ROOT_ITEM, 0));
    if (!c.valid() || c.objectId() != id || c.type() != ItemType.ROOT_ITEM) {
      throw new FsError(FsError.ENOENT, "subvolume " + id + " has no root item");
    }
    Key key = c.key();
    byte[] item = roots.get(key);
    if (item.length < RootItemLayout.SIZE) {
      throw new FormatException("subvolume " + id + " has an old-format root item");
    }
    byte[] received =
        Arrays.copyOfRange(item, RootItemLayout.RECEIVED_UUID, RootItemLayout.RECEIVED_UUID + 16);
    if (!readOnly && !Arrays.equals(received, new byte[16])) {
      throw new FsError(FsError.EPERM, "subvolume " + id + " was received; it stays read-only");
    }
    long flags = Le.u64(item, RootItemLayout.FLAGS);
    flags = readOnly ? flags | RootItem.FLAG_RDONLY : flags & ~RootItem.FLAG_RDONLY;
    Le.put64(item, RootItemLayout.FLAGS, flags);
    Le.put64(
        item,
        RootItemLayout.INODE_FLAGS,
        Le.u64(item, RootItemLayout.INODE_FLAGS) | RootItemLayout.INODE_ROOT_ITEM_INIT);
    roots.put(key, item);
    engine.fs().subvolume(id).setReadOnly(readOnly);
  }

  /** Makes subvolume {@code id} the one mounted when no subvol= or subvolid= is given. */
  public void setDefault(long id) throws IOException {
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    Cursor c = roots.readView().seekCeil(new Key(id, ItemType.ROOT_ITEM, 0));
    if (!ObjectIds.isFsTree(id)
        || !c.valid()
        || c.objectId() != id
        || c.type() != ItemType.ROOT_ITEM) {
      throw new FsError(FsError.ENOENT, "subvolume " + id + " does not exist");
    }
    if (Le.u32(c.raw(), c.dataOffset() + RootItemLayout.REFS) == 0) {
      throw new FsError(FsError.ENOENT, "subvolume " + id + " is deleted");
    }
    Key rootKey = c.key();
    Key itemKey = new Key(ObjectIds.ROOT_TREE_DIR, ItemType.DIR_ITEM, NameHash.crc32cName(DEFAULT));
    byte[] raw = roots.get(itemKey);
    if (raw == null) throw new FormatException("the root tree has no \"default\" entry");
    // The item may hold other names of the same hash: only "default" changes.
    byte[] rebuilt = new byte[0];
    boolean found = false;
    for (DirItem d : DirItem.parseAll(raw, 0, raw.length)) {
      if (Arrays.equals(d.name(), DEFAULT)) {
        // As the kernel's default-subvolume ioctl: only the location changes, to the root key.
        d = new DirItem(rootKey, d.transid(), d.type(), DEFAULT, d.data());
        found = true;
      }
      rebuilt = org.jbtrfs.format.ByteArrays.concat(rebuilt, d.encode());
    }
    if (!found) throw new FormatException("the root tree has no \"default\" entry");
    roots.put(itemKey, rebuilt);
    engine.requireIncompat(FeatureFlags.INCOMPAT_DEFAULT_SUBVOL);
  }
}
