package org.jbtrfs.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootRef;
import org.jbtrfs.tree.Cursor;

/** The path of a subvolume from the top level, built from root back references and inode refs. */
public final class SubvolumePaths {
  private static final int MAX_DEPTH = 4096;

  private SubvolumePaths() {}

  public static String pathOf(Filesystem fs, long subvolId) throws IOException {
    Deque<String> parts = new ArrayDeque<>();
    long id = subvolId;
    for (int depth = 0; id != ObjectIds.FS_TREE; depth++) {
      if (depth > MAX_DEPTH)
        throw new FormatException("subvolume " + subvolId + ": back references loop");
      Cursor c = fs.rootTree().seekCeil(new Key(id, ItemType.ROOT_BACKREF, 0));
      if (!c.valid() || c.objectId() != id || c.type() != ItemType.ROOT_BACKREF) {
        throw new FormatException("subvolume " + id + " has no back reference (deleted?)");
      }
      long parent = c.offset();
      RootRef ref = RootRef.parse(c.raw(), c.dataOffset(), c.dataSize());
      parts.addFirst(new String(ref.name(), StandardCharsets.UTF_8));
      Subvolume psv = fs.subvolume(parent);
      addDirPath(psv, ref.dirId(), parts);
      id = parent;
    }
    return String.join("/", parts);
  }

  /** The subvolume whose directory links {@code subvolId} (its "top level"). */
  public static long parentOf(Filesystem fs, long subvolId) throws IOException {
    Cursor c = fs.rootTree().seekCeil(new Key(subvolId, ItemType.ROOT_BACKREF, 0));
    if (!c.valid() || c.objectId() != subvolId || c.type() != ItemType.ROOT_BACKREF) {
      throw new FormatException("subvolume " + subvolId + " has no back reference (deleted?)");
    }
    return c.offset();
  }

  /**
   * The path of directory {@code ino} inside its subvolume, each name followed by "/" (empty for
   * the top directory), as BTRFS_IOC_INO_LOOKUP answers it.
   */
  public static String dirPath(Subvolume sv, long ino) throws IOException {
    Deque<String> parts = new ArrayDeque<>();
    addDirPath(sv, ino, parts);
    StringBuilder b = new StringBuilder();
    for (String part : parts) b.append(part).append('/');
    return b.toString();
  }

  /** Prepends the names from {@code ino} up to the subvolume's top directory. */
  private static void addDirPath(Subvolume sv, long ino, Deque<String> parts) throws IOException {
    for (int depth = 0; ino != sv.rootDirIno(); depth++) {
      if (depth > MAX_DEPTH)
        throw new FormatException("directory " + ino + ": parent references loop");
      Cursor c = sv.tree().seekCeil(new Key(ino, ItemType.INODE_REF, 0));
      if (!c.valid() || c.objectId() != ino || c.type() != ItemType.INODE_REF) {
        throw new FormatException("directory " + ino + " in " + sv + " has no inode ref");
      }
      InodeRef ref = InodeRef.parseRefs(c.offset(), c.raw(), c.dataOffset(), c.dataSize()).get(0);
      parts.addFirst(new String(ref.name(), StandardCharsets.UTF_8));
      ino = ref.parent();
    }
  }
}
