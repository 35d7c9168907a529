package org.jbtrfs.fs;

import java.io.IOException;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.tree.Tree;

/**
 * Opens the DIR_ITEM name lookup to tests outside this package (the fuzz targets), which build a
 * directory's leaf in memory and have no Filesystem to make a Subvolume from.
 */
public final class DirItemLookup {
  private DirItemLookup() {}

  /** {@link Directories#findDirItem}: the entry named {@code name} in {@code dirIno}, or null. */
  public static DirItem find(Tree tree, long dirIno, byte[] name) throws IOException {
    return Directories.findDirItem(tree, dirIno, name);
  }
}
