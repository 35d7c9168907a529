package org.jbtrfs.fuse;

import java.io.IOException;
import java.util.List;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootRef;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.Subvolume;
import org.jbtrfs.tree.Cursor;

/**
 * The directory a node is in, read from the trees: what LOOKUP ".." answers (the kernel asks it to
 * reconnect a directory opened by handle to the mount's root) and readdir's ".." when no lookup
 * told us. A subvolume's top is in the directory its root back reference names, the way the
 * kernel's btrfs_get_parent finds it; any other inode in the directory of its first inode ref.
 */
final class ParentDirs {
  private ParentDirs() {}

  /** The parent of {@code n}; the root is its own; null when it has none (the top level's top). */
  static Node of(Filesystem fs, Node root, Node n) throws IOException {
    if (n.equals(root)) return root;
    Subvolume sv = n.subvolume();
    if (n.isPlaceholder()) return new Node(sv, n.placeholderParent());
    if (n.isSubvolumeTop()) {
      if (sv.id() == ObjectIds.FS_TREE) return null;
      Cursor c = fs.rootTree().seekCeil(new Key(sv.id(), ItemType.ROOT_BACKREF, 0));
      if (!c.valid() || c.objectId() != sv.id() || c.type() != ItemType.ROOT_BACKREF) return null;
      RootRef ref = RootRef.parse(c.raw(), c.dataOffset(), c.dataSize());
      return new Node(fs.subvolume(c.offset()), ref.dirId());
    }
    Cursor c = sv.tree().seekCeil(new Key(n.ino(), ItemType.INODE_REF, 0));
    if (!c.valid() || c.objectId() != n.ino() || c.type() != ItemType.INODE_REF) return null;
    List<InodeRef> refs = InodeRef.parseRefs(c.offset(), c.raw(), c.dataOffset(), c.dataSize());
    return refs.isEmpty() ? null : new Node(sv, refs.get(0).parent());
  }
}
