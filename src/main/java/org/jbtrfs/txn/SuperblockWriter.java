package org.jbtrfs.txn;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jbtrfs.device.Device;
import org.jbtrfs.format.BackupRoot;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.format.SuperblockEditor;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.tree.WritableTree;

/**
 * Writes the new superblock to every copy on every device: generation, tree roots, bytes used, the
 * device's own dev item, the system chunk array when system chunks were added, and the next backup
 * root slot.
 */
final class SuperblockWriter {
  private SuperblockWriter() {}

  static Superblock write(
      Filesystem fs,
      Superblock old,
      long transid,
      WritableTree rootTree,
      Map<Long, WritableTree> trees,
      long bytesUsed,
      byte[] sysChunkArray,
      long addIncompat,
      byte[] label,
      long totalBytesDelta,
      int devicesAdded)
      throws IOException {
    WritableTree chunkTree = trees.get(ObjectIds.CHUNK_TREE);
    long chunkRoot = chunkTree != null ? chunkTree.rootBytenr() : old.chunkRootBytenr();
    int chunkLevel = chunkTree != null ? chunkTree.rootLevel() : old.chunkRootLevel();
    long chunkGen = chunkTree != null ? chunkTree.rootGeneration() : old.chunkRootGeneration();
    SuperblockEditor ed =
        new SuperblockEditor(old)
            .generation(transid)
            .root(rootTree.rootBytenr(), rootTree.rootLevel())
            .chunkRoot(chunkRoot, chunkLevel, chunkGen)
            .bytesUsed(bytesUsed)
            // A commit holds everything: any fsync log is replayed (or was refused) by now.
            .logRoot(0, 0);
    if (sysChunkArray != null) ed.sysChunkArray(sysChunkArray);
    if (addIncompat != 0) ed.addIncompat(addIncompat);
    if (label != null) ed.label(label);
    if (totalBytesDelta != 0) ed.totalBytes(old.totalBytes() + totalBytesDelta);
    if (devicesAdded != 0) ed.numDevices(old.numDevices() + devicesAdded);
    if (old.uuidTreeGeneration() == old.generation()) ed.uuidTreeGeneration(transid);
    if (old.cacheGeneration() == old.generation()) ed.cacheGeneration(transid);
    long[] roots = new long[12];
    int[] levels = new int[6];
    roots[0] = rootTree.rootBytenr();
    roots[1] = rootTree.rootGeneration();
    levels[0] = rootTree.rootLevel();
    roots[2] = chunkRoot;
    roots[3] = chunkGen;
    levels[1] = chunkLevel;
    long[] ids = {
      ObjectIds.EXTENT_TREE, ObjectIds.FS_TREE, ObjectIds.DEV_TREE, ObjectIds.CSUM_TREE
    };
    for (int i = 0; i < ids.length; i++) {
      byte[] item = rootTree.get(RootItems.keyOf(rootTree, ids[i]));
      RootItem ri = RootItem.parse(item, 0, item.length);
      roots[4 + 2 * i] = ri.bytenr();
      roots[5 + 2 * i] = ri.generation();
      levels[2 + i] = ri.level();
    }
    ed.backupRoot(
        nextBackupSlot(old.backupRoots()),
        roots,
        old.totalBytes() + totalBytesDelta,
        bytesUsed,
        old.numDevices() + devicesAdded,
        levels);
    List<Map.Entry<Long, Device>> order = new ArrayList<>(fs.devices().all().entrySet());
    int added = Math.max(0, Math.min(devicesAdded, order.size() - 1));
    // Devices added in this transaction (the highest devids) get their superblocks, flushed,
    // before any old member's: a crash in between leaves the old members naming the old device
    // count, never one that counts a device still without a superblock.
    for (Map.Entry<Long, Device> d : order.subList(order.size() - added, order.size())) {
      writeCopies(fs, ed, chunkTree, d.getKey(), d.getValue(), old);
      d.getValue().flush();
    }
    Superblock result = null;
    for (Map.Entry<Long, Device> d : order.subList(0, order.size() - added)) {
      Superblock primary = writeCopies(fs, ed, chunkTree, d.getKey(), d.getValue(), old);
      if (result == null) result = primary;
    }
    return result;
  }

  /** Writes the copies of the superblock that fit on device {@code devid}; returns the first. */
  private static Superblock writeCopies(
      Filesystem fs,
      SuperblockEditor ed,
      WritableTree chunks,
      long devid,
      Device dev,
      Superblock old)
      throws IOException {
    byte[] devItem =
        chunks != null
            ? chunks.get(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid))
            : devItemFromChunkTree(fs, devid);
    if (devItem == null || devItem.length < DevItem.SIZE) {
      throw new FormatException("no dev item for devid " + devid);
    }
    ed.devItem(devItem, 0);
    // As the kernel: copies within the size the dev item gives (a replace target may be
    // larger until it is resized) and within the device.
    long room = Math.min(dev.size(), DevItem.parse(devItem, 0).totalBytes());
    Superblock first = null;
    for (long off : Superblock.MIRROR_OFFSETS) {
      if (off + Superblock.SIZE > room) break;
      byte[] raw = ed.bytenr(off).build(old.checksumType());
      dev.write(off, raw, 0, raw.length);
      if (first == null) first = Superblock.parse(raw, off);
    }
    return first;
  }

  private static byte[] devItemFromChunkTree(Filesystem fs, long devid) throws IOException {
    var t =
        new org.jbtrfs.tree.Tree(
            fs.metadata(),
            fs.superblock().chunkRootBytenr(),
            fs.superblock().chunkRootLevel(),
            fs.superblock().chunkRootGeneration());
    var c = t.find(new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid));
    return c == null ? null : c.data();
  }

  /** The slot after the newest backup root, as the kernel rotates them. */
  static int nextBackupSlot(List<BackupRoot> backups) {
    int newest = -1;
    long gen = -1;
    for (int i = 0; i < backups.size(); i++) {
      if (backups.get(i).treeRoot() != 0
          && Long.compareUnsigned(backups.get(i).treeRootGen(), gen) > 0) {
        gen = backups.get(i).treeRootGen();
        newest = i;
      }
    }
    return (newest + 1) % backups.size();
  }
}
