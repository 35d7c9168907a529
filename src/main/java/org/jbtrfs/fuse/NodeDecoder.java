package org.jbtrfs.fuse;

import java.io.IOException;
import java.util.List;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.DirEntry;
import org.jbtrfs.fs.Directories;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.Subvolume;

/**
 * The node behind an id that is not in the node table: one the kernel comes back with after we
 * dropped it (LOOKUP "." to open a file handle), or one a handle made up. Ids are read as {@link
 * NodeIds} lays them out, and only an id that its node would get back counts, since the kernel
 * refuses a LOOKUP "." answer with another id.
 */
final class NodeDecoder {
  private static final int LIST_BATCH = 256;

  private final Filesystem fs;
  private final NodeTable nodes;
  private final PathResolver paths;

  NodeDecoder(Filesystem fs, Node root, NodeTable nodes) {
    this.fs = fs;
    this.nodes = nodes;
    this.paths = new PathResolver(fs, root);
  }

  /** The node {@code id} names, or null when it names none (its inode may still not exist). */
  Node decode(long id) throws IOException {
    NodeIds.Decoded d = NodeIds.decode(id);
    if (d == null || !ObjectIds.isFsTree(d.subvolume())) return null;
    if (fs.rootItem(d.subvolume()) == null) return null;
    Subvolume sv;
    try {
      sv = fs.subvolume(d.subvolume());
    } catch (FormatException deleted) {
      return null; // deleted, its tree waiting to be dropped: gone, as for the kernel
    }
    Node n;
    if (d.placeholder()) {
      Node dir = new Node(sv, d.ino());
      if (!showsPlaceholder(dir)) return null;
      n = new Node(sv, ObjectIds.EMPTY_SUBVOL_DIR, d.ino());
    } else {
      n = new Node(sv, d.ino());
    }
    return nodes.idOf(n) == id ? n : null;
  }

  /** True when a name in directory {@code dir} leads to a placeholder. */
  private boolean showsPlaceholder(Node dir) throws IOException {
    if (dir.inode() == null) return false;
    long from = 0;
    while (true) {
      List<DirEntry> batch = Directories.list(dir.subvolume(), dir.ino(), from, LIST_BATCH);
      if (batch.isEmpty()) return false;
      for (DirEntry e : batch) {
        if (e.subvolumeId() != 0 && paths.target(dir, e).isPlaceholder()) return true;
        from = e.index() + 1;
      }
    }
  }
}
