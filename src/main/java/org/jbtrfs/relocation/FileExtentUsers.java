package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.TreeBlock;
import org.jbtrfs.txn.WriteEngine;

/**
 * The leaves, in every subvolume and snapshot, holding file extent items that point at data extents
 * starting in a logical range: what must be rewritten when those extents move. Each leaf of the
 * graph is read once, however many trees share it, and a shared leaf is rewritten once for all of
 * them. A walk costs a read of all file metadata; the kernel walks back references instead.
 */
final class FileExtentUsers {
  private FileExtentUsers() {}

  /** Leaves by extent start, of every extent starting in [start, end). */
  static Map<Long, Set<Long>> leaves(WriteEngine engine, TreeBlockGraph graph, long start, long end)
      throws IOException {
    Map<Long, Set<Long>> out = new HashMap<>();
    for (TreeBlockGraph.Block b : graph.blocks()) {
      if (b.level != 0) continue;
      byte[] leaf = engine.tree(b.via).readBlock(b.bytenr, b.generation, 0);
      forEachExtent(
          leaf,
          (off, disk) -> {
            if (Long.compareUnsigned(disk, start) >= 0 && Long.compareUnsigned(disk, end) < 0) {
              out.computeIfAbsent(disk, k -> new LinkedHashSet<>()).add(b.bytenr);
            }
          });
    }
    return out;
  }

  /** Told of each regular or prealloc extent item of a leaf: its data offset, its disk start. */
  interface ExtentVisitor {
    void visit(int dataOffset, long diskBytenr) throws IOException;
  }

  /** Visits the items of {@code leaf} that point at a data extent (not inline, not a hole). */
  static void forEachExtent(byte[] leaf, ExtentVisitor v) throws IOException {
    TreeBlock t = new TreeBlock(0, leaf);
    for (int i = 0; i < t.nritems(); i++) {
      if (t.keyType(i) != ItemType.EXTENT_DATA || t.itemDataSize(i) < FileExtentItem.SIZE) continue;
      int off = t.itemDataOffset(i);
      if (leaf[off + FileExtentItem.OFF_TYPE] == FileExtentItem.TYPE_INLINE) continue;
      long disk = Le.u64(leaf, off + FileExtentItem.OFF_DISK_BYTENR);
      if (disk != 0) v.visit(off, disk);
    }
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
