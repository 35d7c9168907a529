package org.jbtrfs.fs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jbtrfs.format.ObjectIds;

/**
 * Turns absolute paths into nodes, crossing into subvolumes where a directory entry links one.
 * Results are cached (bounded LRU), and a miss resolves from the longest cached parent, so a walk
 * over many files never re-resolves every path from the root.
 */
public final class PathResolver {
  private static final int MAX_ENTRIES = 200_000;

  private final Filesystem fs;
  private final Node root;
  private final Map<String, Node> cache =
      new LinkedHashMap<>(4096, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Node> eldest) {
          return size() > MAX_ENTRIES;
        }
      };

  public PathResolver(Filesystem fs, Node root) {
    this.fs = fs;
    this.root = root;
  }

  public Node root() {
    return root;
  }

  /** The node at {@code path}, or null when some component does not exist. */
  public Node resolve(String path) throws IOException {
    if (path.isEmpty() || path.equals("/")) return root;
    synchronized (cache) {
      Node hit = cache.get(path);
      if (hit != null) return hit;
    }
    int slash = path.lastIndexOf('/');
    Node parent = slash <= 0 ? root : resolve(path.substring(0, slash));
    if (parent == null) return null;
    Node child = child(parent, path.substring(slash + 1).getBytes(StandardCharsets.UTF_8));
    if (child != null) {
      synchronized (cache) {
        cache.put(path, child);
      }
    }
    return child;
  }

  /** Forgets one cached path (after unlink of a file). */
  public void forget(String path) {
    synchronized (cache) {
      cache.remove(path);
    }
  }

  /** Forgets {@code path} and everything below it (after rmdir or rename). */
  public void forgetTree(String path) {
    String prefix = path + "/";
    synchronized (cache) {
      cache.keySet().removeIf(k -> k.equals(path) || k.startsWith(prefix));
    }
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
