package org.jbtrfs.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;

/** Name lookup (DIR_ITEM, by name hash) and listing (DIR_INDEX, in creation order). */
public final class Directories {
  private Directories() {}

  /** Finds {@code name} in directory {@code dirIno}; null when absent. */
  public static DirEntry lookup(Subvolume sv, long dirIno, byte[] name) throws IOException {
    DirItem item = findDirItem(sv.tree(), dirIno, name);
    return item == null ? null : toEntry(item, 0);
  }

  static DirItem findDirItem(Tree tree, long dirIno, byte[] name) throws IOException {
    Cursor c = tree.find(new Key(dirIno, ItemType.DIR_ITEM, NameHash.crc32cName(name)));
    if (c == null) return null;
    for (DirItem d : DirItem.parseAll(c.raw(), c.dataOffset(), c.dataSize())) {
      if (Arrays.equals(d.name(), name)) return d;
    }
    return null;
  }

  /** Up to {@code max} entries with dir index {@code >= fromIndex}, in index order. */
  public static List<DirEntry> list(Subvolume sv, long dirIno, long fromIndex, int max)
      throws IOException {
    List<DirEntry> out = new ArrayList<>();
    Cursor c = sv.tree().seekCeil(new Key(dirIno, ItemType.DIR_INDEX, fromIndex));
    while (c.valid()
        && out.size() < max
        && c.objectId() == dirIno
        && c.type() == ItemType.DIR_INDEX) {
      for (DirItem d : DirItem.parseAll(c.raw(), c.dataOffset(), c.dataSize())) {
        out.add(toEntry(d, c.offset()));
      }
      c.next();
    }
    return out;
  }

  /** The highest dir index in use in {@code dirIno}, or 1 (below the first) when it has none. */
  public static long lastIndex(Subvolume sv, long dirIno) throws IOException {
    Cursor c = sv.tree().seekFloor(new Key(dirIno, ItemType.DIR_INDEX, -1L));
    boolean found = c.valid() && c.objectId() == dirIno && c.type() == ItemType.DIR_INDEX;
    return found ? c.offset() : 1;
  }

  private static DirEntry toEntry(DirItem d, long index) {
    Key loc = d.location();
    if (loc.type() == ItemType.ROOT_ITEM) {
      return new DirEntry(d.name(), index, 0, loc.objectId(), d.type());
    }
    return new DirEntry(d.name(), index, loc.objectId(), 0, d.type());
  }

  /** The subvolume named "default" in the root tree directory, if set. */
  static Long lookupRootTreeDefault(Filesystem fs) throws IOException {
    DirItem d =
        findDirItem(
            fs.rootTree(), ObjectIds.ROOT_TREE_DIR, "default".getBytes(StandardCharsets.US_ASCII));
    return d == null ? null : d.location().objectId();
  }
}
