package org.jbtrfs.cli;

import java.io.IOException;
import java.util.List;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;

/**
 * What `subvolume list` and `show` read: items of a tree by key range, and the path of a directory
 * inside a subvolume. From an image ({@link ImageRootTree}) or, through the kernel's ioctls, from a
 * mount ({@link LiveRootTree}), so both print the same.
 */
interface RootTreeSource {
  /** One item: its leaf's generation, key and data. */
  record Item(long transid, Key key, byte[] data) {}

  List<Item> items(long treeId, Key min, Key max) throws IOException;

  /** The root item of tree {@code id} (any key offset), or null. */
  default Item rootItem(long id) throws IOException {
    List<Item> found =
        items(
            ObjectIds.ROOT_TREE,
            new Key(id, ItemType.ROOT_ITEM, 0),
            new Key(id, ItemType.ROOT_ITEM, -1L));
    return found.isEmpty() ? null : found.get(0);
  }

  /** Subvolumes deleted and not yet dropped: the ORPHAN_ITEMs of the root tree, lowest first. */
  default List<Long> deletedIds() throws IOException {
    List<Long> ids = new java.util.ArrayList<>();
    for (Item i :
        items(
            ObjectIds.ROOT_TREE,
            new Key(ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, 0),
            new Key(ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, -1L))) {
      ids.add(i.key().offset());
    }
    return ids;
  }

  /** The path of directory {@code dir} in subvolume {@code subvol}, each name followed by "/". */
  String dirPath(long subvol, long dir) throws IOException;
}
