package org.jbtrfs.fs;

import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.DevExtentItem;
import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.DevExtentCheck;

/**
 * What the kernel reads and cross-checks before it lets a filesystem mount (disk-io.c open_ctree),
 * done for every mount, read-only too, so jbtrfs refuses what the kernel refuses instead of finding
 * the damage later: the root block of every global tree (btrfs_read_roots), every block group item
 * against its chunk (btrfs_read_block_groups, check_chunk_block_group_mappings), every dev extent
 * against the chunks and devices (btrfs_verify_dev_extents). The messages are the kernel's, so a
 * user can search for them.
 */
final class MountChecks {
  /** The bits of a block group's flags that say what it holds (BTRFS_BLOCK_GROUP_TYPE_MASK). */
  private static final long TYPE_MASK =
      BlockGroupItem.TYPE_DATA | BlockGroupItem.TYPE_SYSTEM | BlockGroupItem.TYPE_METADATA;

  private MountChecks() {}

  static void run(Filesystem fs) throws IOException {
    readGlobalRoots(fs);
    checkBlockGroups(fs);
    checkDevExtents(fs);
  }

  /** Trees the kernel must have, and those it reads when they exist. */
  private static void readGlobalRoots(Filesystem fs) throws IOException {
    long compatRo = fs.superblock().compatRoFlags();
    readRoot(fs, ObjectIds.EXTENT_TREE, "extent", true);
    readRoot(fs, ObjectIds.DEV_TREE, "dev", true);
    readRoot(fs, ObjectIds.CSUM_TREE, "csum", true);
    readRoot(
        fs,
        ObjectIds.FREE_SPACE_TREE,
        "free space",
        (compatRo & FeatureFlags.COMPAT_RO_FREE_SPACE_TREE) != 0);
    readRoot(
        fs,
        ObjectIds.BLOCK_GROUP_TREE,
        "block group",
        (compatRo & FeatureFlags.COMPAT_RO_BLOCK_GROUP_TREE) != 0);
    readRoot(fs, ObjectIds.UUID_TREE, "uuid", false);
    readRoot(fs, ObjectIds.DATA_RELOC_TREE, "data reloc", false);
  }

  private static void readRoot(Filesystem fs, long id, String name, boolean required)
      throws IOException {
    RootItem ri = fs.rootItem(id);
    if (ri == null) {
      if (required) throw new FormatException("failed to load root " + name + " (not found)");
      return;
    }
    try {
      fs.metadata().read(ri.bytenr(), ri.generation(), ri.level());
    } catch (IOException e) {
      throw new IOException("failed to read " + name + " tree root: " + e.getMessage(), e);
    }
  }

  /** Every block group item names a chunk exactly, and every chunk has its block group. */
  private static void checkBlockGroups(Filesystem fs) throws IOException {
    boolean bgTree =
        (fs.superblock().compatRoFlags() & FeatureFlags.COMPAT_RO_BLOCK_GROUP_TREE) != 0;
    Tree t = fs.treeOf(bgTree ? ObjectIds.BLOCK_GROUP_TREE : ObjectIds.EXTENT_TREE);
    if (t == null) return;
    Set<Long> found = new HashSet<>();
    long from = 0;
    while (true) {
      // Like the kernel's find_first_block_group: the next block group item at or after the end
      // of the previous group; the extent items between them are skipped by the search.
      Cursor c = t.seekCeil(new Key(from, ItemType.BLOCK_GROUP_ITEM, 0));
      while (c.valid()
          && !(Long.compareUnsigned(c.objectId(), from) >= 0
              && c.type() == ItemType.BLOCK_GROUP_ITEM)) {
        c.next();
      }
      if (!c.valid()) break;
      long start = c.objectId();
      long length = c.offset();
      BlockGroupItem item = BlockGroupItem.parse(c.raw(), c.dataOffset(), c.dataSize());
      ChunkMapping chunk = chunkAt(fs, start);
      if (chunk == null)
        throw new FormatException(
            "logical " + start + " len " + length + " found bg but no related chunk");
      if (chunk.logical() != start || chunk.length() != length)
        throw new FormatException(
            String.format(
                "block group %d len %d mismatch with chunk %d len %d",
                start, length, chunk.logical(), chunk.length()));
      if ((item.flags() & TYPE_MASK) != (chunk.typeFlags() & TYPE_MASK))
        throw new FormatException(
            String.format(
                "block group %d len %d type flags 0x%x mismatch with chunk type flags 0x%x",
                start, length, item.flags() & TYPE_MASK, chunk.typeFlags() & TYPE_MASK));
      found.add(start);
      long next = start + length;
      // A zero length (or a wrap) would search the same key again forever.
      if (Long.compareUnsigned(next, start) <= 0) break;
      from = next;
    }
    for (ChunkMapping c : fs.chunks().all()) {
      if (!found.contains(c.logical()))
        throw new FormatException(
            "chunk start="
                + c.logical()
                + " len="
                + c.length()
                + " doesn't have corresponding block group");
    }
  }

  private static ChunkMapping chunkAt(Filesystem fs, long logical) {
    try {
      return fs.chunks().lookup(logical);
    } catch (FormatException e) {
      return null;
    }
  }

  private static void checkDevExtents(Filesystem fs) throws IOException {
    Tree devTree = fs.treeOf(ObjectIds.DEV_TREE);
    if (devTree == null) return;
    Map<Long, Long> sizes = new HashMap<>();
    for (DevItem d : fs.devItems()) sizes.put(d.devid(), d.totalBytes());
    DevExtentCheck check = new DevExtentCheck(fs.chunks(), sizes);
    for (Cursor c = devTree.seekCeil(new Key(1, ItemType.DEV_EXTENT, 0)); c.valid(); c.next()) {
      if (c.type() != ItemType.DEV_EXTENT) break;
      DevExtentItem e = DevExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize());
      check.add(c.objectId(), c.offset(), e.length(), e.chunkOffset());
    }
    check.finish();
  }
}
