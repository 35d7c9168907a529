package org.jbtrfs.fs;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.RootRef;
import org.jbtrfs.tree.Cursor;

/** Whether a directory entry naming a subvolume is backed by a ROOT_REF from that directory. */
final class SubvolumeLinks {
  private SubvolumeLinks() {}

  static boolean isLinked(Filesystem fs, Node dir, DirEntry e) throws IOException {
    Cursor c =
        fs.rootTree().find(new Key(dir.subvolume().id(), ItemType.ROOT_REF, e.subvolumeId()));
    if (c == null) return false;
    RootRef ref = RootRef.parse(c.raw(), c.dataOffset(), c.dataSize());
    return ref.dirId() == dir.ino() && Arrays.equals(ref.name(), e.name());
  }
}
