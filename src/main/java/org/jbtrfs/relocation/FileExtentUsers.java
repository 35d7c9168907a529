package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.txn.WriteEngine;

/**
 * Every file extent item, in every subvolume and snapshot, that points at a data extent starting in
 * a logical range: what must be repointed when those extents move. Found by walking each subvolume
 * tree whole, as each tree sees it (a leaf shared by snapshots is seen once per tree, and each
 * tree's copy is repointed on its own, so every tree ends up pointing at the moved extent). A walk
 * costs a read of all file metadata; the kernel walks back references instead.
 */
final class FileExtentUsers {
  /** One file extent item: tree {@code root}, its key, and the back reference's offset key. */
  record User(long root, Key key, long refOffset) {}

  private FileExtentUsers() {}

  /** Users by extent start, of every extent starting in [start, end). */
  static Map<Long, List<User>> of(WriteEngine engine, long start, long end) throws IOException {
    Map<Long, List<User>> out = new HashMap<>();
    for (long root : subvolumeTrees(engine)) {
      Tree t = engine.tree(root).readView();
      for (Cursor c = t.seekCeil(new Key(0, 0, 0)); c.valid(); c.next()) {
        if (c.type() != ItemType.EXTENT_DATA || c.dataSize() < FileExtentItem.SIZE) continue;
        byte[] raw = c.raw();
        int off = c.dataOffset();
        if (raw[off + FileExtentItem.OFF_TYPE] == FileExtentItem.TYPE_INLINE) continue;
        long disk = Le.u64(raw, off + FileExtentItem.OFF_DISK_BYTENR);
        if (disk == 0 || Long.compareUnsigned(disk, start) < 0) continue;
        if (Long.compareUnsigned(disk, end) >= 0) continue;
        long refOffset = c.offset() - Le.u64(raw, off + FileExtentItem.OFF_OFFSET);
        out.computeIfAbsent(disk, k -> new ArrayList<>()).add(new User(root, c.key(), refOffset));
      }
    }
    return out;
  }

  /** Ids of every tree that can hold file extents: subvolumes, snapshots, the data reloc tree. */
  static List<Long> subvolumeTrees(WriteEngine engine) throws IOException {
    List<Long> out = new ArrayList<>();
    for (long id : RootTreeIds.listed(engine)) {
      if (ObjectIds.isFsTree(id) || id == ObjectIds.DATA_RELOC_TREE) out.add(id);
    }
    return out;
  }
}
