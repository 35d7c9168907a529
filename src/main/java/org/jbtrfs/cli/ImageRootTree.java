package org.jbtrfs.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.Key;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.SubvolumePaths;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;

/** {@link RootTreeSource} over an opened image. */
final class ImageRootTree implements RootTreeSource {
  private final Filesystem fs;

  ImageRootTree(Filesystem fs) {
    this.fs = fs;
  }

  @Override
  public List<Item> items(long treeId, Key min, Key max) throws IOException {
    Tree t = fs.currentTreeOf(treeId);
    if (t == null) throw new FileNotFoundException("no tree " + treeId);
    List<Item> out = new ArrayList<>();
    for (Cursor c = t.seekCeil(min); c.valid() && c.key().compareTo(max) <= 0; c.next()) {
      out.add(new Item(c.leaf().generation(), c.key(), c.data()));
    }
    return out;
  }

  @Override
  public String dirPath(long subvol, long dir) throws IOException {
    return SubvolumePaths.dirPath(fs.subvolume(subvol), dir);
  }
}
