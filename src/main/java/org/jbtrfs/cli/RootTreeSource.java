package org.jbtrfs.cli;

import java.io.IOException;
import java.util.List;
import org.jbtrfs.format.Key;

/**
 * What `subvolume list` and `show` read: items of a tree by key range, and the path of a directory
 * inside a subvolume. From an image ({@link ImageRootTree}) or, through the kernel's ioctls, from a
 * mount ({@link LiveRootTree}), so both print the same.
 */
interface RootTreeSource {
  /** One item: its leaf's generation, key and data. */
  record Item(long transid, Key key, byte[] data) {}

  List<Item> items(long treeId, Key min, Key max) throws IOException;

  /** The path of directory {@code dir} in subvolume {@code subvol}, each name followed by "/". */
  String dirPath(long subvol, long dir) throws IOException;
}
