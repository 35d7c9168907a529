package org.jbtrfs.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.ObjectIds;

/**
 * Turns absolute paths into nodes, crossing into subvolumes where a directory entry links one: one
 * directory lookup per component (the tools resolve a path once; the FUSE mount has the kernel's
 * dentry cache in front of its lookups).
 */
public final class PathResolver {
  private final Filesystem fs;
  private final Node root;

  public PathResolver(Filesystem fs, Node root) {
    this.fs = fs;
    this.root = root;
  }

  public Node root() {
    return root;
  }

  /** The node at {@code path}, or null when some component does not exist. */
  public Node resolve(String path) throws IOException {
    Node cur = root;
    for (String part : path.split("/")) {
      if (part.isEmpty()) continue;
      cur = child(cur, part.getBytes(StandardCharsets.UTF_8));
      if (cur == null) return null;
    }
    return cur;
  }

  /** Looks up one name in a directory node. */
  public Node child(Node dir, byte[] name) throws IOException {
    DirEntry e = Directories.lookup(dir.subvolume(), dir.ino(), name);
    return e == null ? null : target(dir, e);
  }

  /** The node a directory entry of {@code dir} points to. */
  public Node target(Node dir, DirEntry e) throws IOException {
    if (e.subvolumeId() != 0) {
      // A snapshot keeps the entry of a nested subvolume but not the subvolume itself: without a
      // root ref from this directory the kernel shows an empty placeholder directory instead.
      if (!SubvolumeLinks.isLinked(fs, dir, e)) {
        return new Node(dir.subvolume(), ObjectIds.EMPTY_SUBVOL_DIR, dir.ino());
      }
      Subvolume sv = fs.subvolume(e.subvolumeId());
      return new Node(sv, sv.rootDirIno());
    }
    return new Node(dir.subvolume(), e.targetIno());
  }
}
