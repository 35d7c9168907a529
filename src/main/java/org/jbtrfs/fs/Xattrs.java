package org.jbtrfs.fs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.tree.Cursor;

/** Extended attributes: XATTR_ITEMs keyed by the name hash, laid out like directory entries. */
public final class Xattrs {
  private Xattrs() {}

  /** The value of {@code name}, or null when the inode has no such attribute. */
  public static byte[] get(Node n, byte[] name) throws IOException {
    Cursor c =
        n.subvolume().tree().find(new Key(n.ino(), ItemType.XATTR_ITEM, NameHash.crc32cName(name)));
    if (c == null) return null;
    for (DirItem d : DirItem.parseAll(c.raw(), c.dataOffset(), c.dataSize())) {
      if (Arrays.equals(d.name(), name)) return d.data();
    }
    return null;
  }

  public static List<byte[]> list(Node n) throws IOException {
    List<byte[]> names = new ArrayList<>();
    Cursor c = n.subvolume().tree().seekCeil(new Key(n.ino(), ItemType.XATTR_ITEM, 0));
    while (c.valid() && c.objectId() == n.ino() && c.type() == ItemType.XATTR_ITEM) {
      for (DirItem d : DirItem.parseAll(c.raw(), c.dataOffset(), c.dataSize())) names.add(d.name());
      c.next();
    }
    return names;
  }
}
