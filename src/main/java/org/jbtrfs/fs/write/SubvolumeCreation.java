package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RandomUuid;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.RootItemLayout;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;

/**
 * Makes snapshots and new subvolumes in the running transaction, writing the items the kernel's
 * create_pending_snapshot and create_subvol write: the tree (a copy of the source's root block, or
 * one empty leaf with the top directory), its root item, the ROOT_REF and ROOT_BACKREF that link it
 * to its parent directory, the directory entry there, and its uuid in the uuid tree.
 */
public final class SubvolumeCreation {
  /** The kernel links a snapshot's directory entry to its root item with offset -1. */
  private static final long SNAPSHOT_LINK_OFFSET = -1L;

  private static final long NEW_SUBVOLUME_LINK_OFFSET = 0;

  private final WriteEngine engine;

  public SubvolumeCreation(WriteEngine engine) {
    this.engine = engine;
  }

  /** Where a new subvolume goes: a directory of a subvolume, and the new name. */
  public record Destination(long subvolume, long dir, byte[] name) {}

  /**
   * Snapshots subvolume {@code sourceId} (as last committed) at {@code dest}; returns the new
   * subvolume's id. The copy is taken before the entry is added, so a snapshot of the subvolume it
   * goes into does not contain itself (as under the kernel).
   */
  public long snapshot(long sourceId, Destination dest, boolean readOnly) throws IOException {
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    Key sourceKey = rootItemKey(roots, sourceId);
    byte[] sourceItem = roots.get(sourceKey);
    if (sourceItem.length >= RootItem.LEGACY_SIZE && Le.u32(sourceItem, RootItemLayout.REFS) == 0) {
      // A file still open in a deleted subvolume names it: gone, as the kernel answers.
      throw new FsError(FsError.ENOENT, "subvolume " + sourceId + " is deleted");
    }
    if (sourceItem.length < RootItemLayout.SIZE) {
      throw new FormatException(
          "subvolume " + sourceId + " has an old-format root item; snapshots of it are refused");
    }
    checkDestination(dest);
    long id = freeObjectId(roots);
    long transid = engine.transid();
    WritableTree tree = engine.startSnapshot(sourceId, id);

    byte[] item = sourceItem.clone();
    Le.put64(item, RootItemLayout.BYTENR, tree.rootBytenr());
    Le.put64(item, RootItemLayout.GENERATION, transid);
    item[RootItemLayout.LEVEL] = (byte) tree.rootLevel();
    Le.put64(item, RootItemLayout.GENERATION_V2, transid);
    Le.put64(item, RootItemLayout.LAST_SNAPSHOT, transid);
    initRootItem(item);
    long flags = Le.u64(item, RootItemLayout.FLAGS);
    flags = readOnly ? flags | RootItem.FLAG_RDONLY : flags & ~RootItem.FLAG_RDONLY;
    Le.put64(item, RootItemLayout.FLAGS, flags);
    Le.put32(item, RootItemLayout.REFS, 1);
    ByteArrays.zero(item, RootItemLayout.DROP_PROGRESS, RootItemLayout.LEVEL);
    byte[] uuid = RandomUuid.bytes();
    System.arraycopy(item, RootItemLayout.UUID, item, RootItemLayout.PARENT_UUID, 16);
    System.arraycopy(uuid, 0, item, RootItemLayout.UUID, 16);
    if (!readOnly) {
      // A writable snapshot is no longer what was received: the kernel forgets the send state.
      ByteArrays.zero(item, RootItemLayout.RECEIVED_UUID, RootItemLayout.RECEIVED_UUID + 16);
      ByteArrays.zero(item, RootItemLayout.STRANSID, RootItemLayout.RTRANSID + 8);
      ByteArrays.zero(item, RootItemLayout.STIME, RootItemLayout.RTIME + Timespec.SIZE);
    }
    Timespec.now().write(item, RootItemLayout.OTIME);
    Le.put64(item, RootItemLayout.OTRANSID, transid);
    if (!roots.insert(new Key(id, ItemType.ROOT_ITEM, transid), item)) {
      throw new FormatException("subvolume id " + id + " already has a root item");
    }
    // The source's blocks are now shared: its next COW must check their references.
    byte[] updated = sourceItem.clone();
    Le.put64(updated, RootItemLayout.LAST_SNAPSHOT, transid);
    roots.put(sourceKey, updated);

    link(id, dest, SNAPSHOT_LINK_OFFSET);
    addUuid(uuid, ItemType.UUID_KEY_SUBVOL, id);
    byte[] received =
        Arrays.copyOfRange(item, RootItemLayout.RECEIVED_UUID, RootItemLayout.RECEIVED_UUID + 16);
    if (readOnly && !Arrays.equals(received, new byte[16])) {
      addUuid(received, ItemType.UUID_KEY_RECEIVED_SUBVOL, id);
    }
    return id;
  }

  /**
   * Creates an empty subvolume at {@code dest} whose top directory has mode 0755 and the given
   * owner, as btrfs_create_subvol_root makes it; returns its id.
   */
  public long create(Destination dest, long uid, long gid) throws IOException {
    checkDestination(dest);
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    long id = freeObjectId(roots);
    long transid = engine.transid();
    WritableTree tree = engine.startSubvolume(id);
    Timespec now = Timespec.now();
    FileTree ft = new FileTree(engine, id);
    InodeItem top =
        ft.newInode(040755, uid, gid, 0, 0).withGeneration(transid).withTransid(transid);
    ft.putInode(ObjectIds.FIRST_FREE, top);
    tree.insert(
        new Key(ObjectIds.FIRST_FREE, ItemType.INODE_REF, ObjectIds.FIRST_FREE),
        new InodeRef(ObjectIds.FIRST_FREE, 0, new byte[] {'.', '.'}).encodeRef());

    byte[] item = new byte[RootItemLayout.SIZE];
    // The root item's own inode: what mkfs and the kernel put there for every subvolume.
    InodeItem embedded =
        new InodeItem(
            1,
            0,
            3,
            engine.fs().superblock().nodeSize(),
            0,
            1,
            0,
            0,
            040755,
            0,
            0,
            0,
            new Timespec(0, 0),
            new Timespec(0, 0),
            new Timespec(0, 0),
            new Timespec(0, 0));
    System.arraycopy(embedded.encode(), 0, item, 0, InodeItem.SIZE);
    Le.put64(item, RootItemLayout.GENERATION, transid);
    Le.put64(item, RootItemLayout.ROOT_DIRID, ObjectIds.FIRST_FREE);
    Le.put64(item, RootItemLayout.BYTENR, tree.rootBytenr());
    Le.put64(item, RootItemLayout.BYTES_USED, engine.fs().superblock().nodeSize());
    Le.put32(item, RootItemLayout.REFS, 1);
    item[RootItemLayout.LEVEL] = 0;
    Le.put64(item, RootItemLayout.GENERATION_V2, transid);
    byte[] uuid = RandomUuid.bytes();
    System.arraycopy(uuid, 0, item, RootItemLayout.UUID, 16);
    Le.put64(item, RootItemLayout.CTRANSID, transid);
    Le.put64(item, RootItemLayout.OTRANSID, transid);
    now.write(item, RootItemLayout.CTIME);
    now.write(item, RootItemLayout.OTIME);
    if (!roots.insert(new Key(id, ItemType.ROOT_ITEM, 0), item)) {
      throw new FormatException("subvolume id " + id + " already has a root item");
    }
    link(id, dest, NEW_SUBVOLUME_LINK_OFFSET);
    addUuid(uuid, ItemType.UUID_KEY_SUBVOL, id);
    return id;
  }

  /**
   * As the kernel's btrfs_check_and_init_root_item before it copies a root item: one without the
   * ROOT_ITEM_INIT inode flag has its flags and byte limit zeroed and gains the flag.
   */
  private static void initRootItem(byte[] item) {
    long inodeFlags = Le.u64(item, RootItemLayout.INODE_FLAGS);
    if ((inodeFlags & RootItemLayout.INODE_ROOT_ITEM_INIT) != 0) return;
    Le.put64(item, RootItemLayout.INODE_FLAGS, inodeFlags | RootItemLayout.INODE_ROOT_ITEM_INIT);
    Le.put64(item, RootItemLayout.FLAGS, 0);
    Le.put64(item, RootItemLayout.BYTE_LIMIT, 0);
  }

  private void checkDestination(Destination dest) throws IOException {
    Entries.checkName(dest.name());
    Entries entries = new Entries(new FileTree(engine, dest.subvolume()));
    if (entries.exists(dest.dir(), dest.name())) {
      throw new FsError(FsError.EEXIST, new String(dest.name()) + " exists");
    }
    if (engine.fs().subvolume(dest.subvolume()).isReadOnly()) {
      throw new FsError(FsError.EROFS, "subvolume " + dest.subvolume() + " is read-only");
    }
  }

  /** The directory entry and the root refs both ways; the entry's index is the refs' sequence. */
  private void link(long id, Destination dest, long locationOffset) throws IOException {
    Entries entries = new Entries(new FileTree(engine, dest.subvolume()));
    long index = entries.addSubvolumeLink(dest.dir(), dest.name(), id, locationOffset);
    byte[] ref = rootRef(dest.dir(), index, dest.name());
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    roots.insert(new Key(dest.subvolume(), ItemType.ROOT_REF, id), ref);
    roots.insert(new Key(id, ItemType.ROOT_BACKREF, dest.subvolume()), ref);
  }

  static byte[] rootRef(long dirId, long sequence, byte[] name) {
    byte[] b = new byte[18 + name.length];
    Le.put64(b, 0, dirId);
    Le.put64(b, 8, sequence);
    Le.put16(b, 16, name.length);
    System.arraycopy(name, 0, b, 18, name.length);
    return b;
  }

  /**
   * Adds {@code id} under {@code uuid} in the uuid tree (key: the uuid's two halves read as
   * little-endian numbers), where `btrfs subvolume list -u/-q` and receive find subvolumes. A
   * filesystem made before the uuid tree existed has none; the kernel builds it at mount.
   */
  private void addUuid(byte[] uuid, int type, long id) throws IOException {
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    if (roots.get(new Key(ObjectIds.UUID_TREE, ItemType.ROOT_ITEM, 0)) == null) return;
    WritableTree t = engine.tree(ObjectIds.UUID_TREE);
    Key key = new Key(Le.u64(uuid, 0), type, Le.u64(uuid, 8));
    byte[] entry = new byte[8];
    Le.put64(entry, 0, id);
    byte[] existing = t.get(key);
    t.put(key, existing == null ? entry : ByteArrays.concat(existing, entry));
  }

  /** The kernel's next free object id of the root tree: one past the highest subvolume id. */
  private long freeObjectId(WritableTree roots) throws IOException {
    Cursor c = roots.readView().seekFloor(new Key(ObjectIds.LAST_FREE, 0xff, -1L));
    long highest = c.valid() ? c.objectId() : 0;
    return engine.nextSubvolumeId(Math.max(highest, ObjectIds.FIRST_FREE - 1));
  }

  private static Key rootItemKey(WritableTree roots, long id) throws IOException {
    Cursor c = roots.readView().seekCeil(new Key(id, ItemType.ROOT_ITEM, 0));
    if (!c.valid() || c.objectId() != id || c.type() != ItemType.ROOT_ITEM) {
      throw new FsError(FsError.ENOENT, "subvolume " + id + " has no root item");
    }
    return c.key();
  }
}
