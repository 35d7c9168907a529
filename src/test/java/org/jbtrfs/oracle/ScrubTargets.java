package org.jbtrfs.oracle;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Placement;
import org.jbtrfs.volume.StoredCopies;

/**
 * Picks what a scrub test damages: random allocated tree blocks and data sectors whose chosen copy
 * lies on one device, one copy each, found through the extent tree and the chunk map.
 */
final class ScrubTargets {
  /** One copy of one range to damage: where it is on which device. */
  record Target(long logical, int len, long devid, long physical) {}

  private ScrubTargets() {}

  /** {@code metadata} tree blocks and {@code data} sectors with one copy each on {@code devid}. */
  static List<Target> pick(Filesystem fs, long devid, int metadata, int data, Random rnd)
      throws IOException {
    return pick(fs, devid, metadata, data, rnd, null);
  }

  /**
   * As above, but copy 0 of each (the one a read tries first), on whatever device it is, with the
   * tree blocks only of the trees {@code owners} (of the file tree, when with others, only its
   * nodes above the leaves).
   */
  static List<Target> pickFirstCopies(
      Filesystem fs, int metadata, int data, Random rnd, Set<Long> owners) throws IOException {
    return pick(fs, FIRST_COPY, metadata, data, rnd, owners);
  }

  /** Instead of a devid: copy 0, wherever it is. */
  private static final long FIRST_COPY = -1;

  private static List<Target> pick(
      Filesystem fs, long devid, int metadata, int data, Random rnd, Set<Long> owners)
      throws IOException {
    int sector = fs.sectorSize();
    List<Target> trees = new ArrayList<>();
    List<long[]> extents = new ArrayList<>();
    Tree extentTree = fs.treeOf(ObjectIds.EXTENT_TREE);
    for (Cursor c = extentTree.seekCeil(Key.MIN); c.valid(); c.next()) {
      if (c.type() == ItemType.METADATA_ITEM) {
        if (owners != null) {
          var block = fs.metadata().read(c.objectId(), 0, -1);
          // Leaves of the file tree may hold only items no file read reaches; its nodes do not.
          boolean fileTreeLeaf = block.owner() == ObjectIds.FS_TREE && block.level() == 0;
          if (!owners.contains(block.owner()) || (owners.size() > 1 && fileTreeLeaf)) continue;
        }
        Target t = onDevice(fs, c.objectId(), fs.superblock().nodeSize(), devid, rnd);
        if (t != null) trees.add(t);
      } else if (c.type() == ItemType.EXTENT_ITEM) {
        ExtentItem item = ExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize(), false);
        if ((item.flags() & ExtentItem.FLAG_DATA) != 0) {
          extents.add(new long[] {c.objectId(), c.offset()});
        }
      }
    }
    List<Target> sectors = new ArrayList<>();
    for (long[] e : extents) {
      for (long a = e[0]; a < e[0] + e[1]; a += sector) {
        Target t = onDevice(fs, a, sector, devid, rnd);
        if (t != null) sectors.add(t);
      }
    }
    if (trees.size() < metadata || sectors.size() < data) {
      throw new IllegalStateException(
          "image too small: " + trees.size() + " tree blocks, " + sectors.size() + " sectors");
    }
    java.util.Collections.shuffle(trees, rnd);
    java.util.Collections.shuffle(sectors, rnd);
    List<Target> out = new ArrayList<>(trees.subList(0, metadata));
    out.addAll(sectors.subList(0, data));
    return out;
  }

  /**
   * A random copy of the range that sits (in one piece) on {@code devid} (FIRST_COPY: copy 0, in
   * one piece anywhere), or null.
   */
  private static Target onDevice(Filesystem fs, long logical, int len, long devid, Random rnd)
      throws IOException {
    ChunkMapping c = fs.chunks().lookup(logical);
    List<Target> candidates = new ArrayList<>();
    int copies = devid == FIRST_COPY ? 1 : StoredCopies.count(c);
    for (int k = 0; k < copies; k++) {
      List<Placement> p = StoredCopies.placements(c, logical, len, k);
      if (p.size() == 1 && (devid == FIRST_COPY || p.get(0).devid() == devid)) {
        candidates.add(new Target(logical, len, p.get(0).devid(), p.get(0).physical()));
      }
    }
    return candidates.isEmpty() ? null : candidates.get(rnd.nextInt(candidates.size()));
  }
}
