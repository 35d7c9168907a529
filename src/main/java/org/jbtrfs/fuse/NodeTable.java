package org.jbtrfs.fuse;

import java.util.HashMap;
import java.util.Map;
import org.jbtrfs.fs.Node;

/**
 * The kernel's node ids and what they stand for. Each inode has one id while the kernel holds a
 * reference to it (every entry reply adds one, FORGET takes them back), so hard links share one
 * kernel inode and its cached attributes, and a file unlinked while open keeps its id until the
 * kernel forgets it. Ids are never reused within a mount. A directory's parent is remembered from
 * the lookup that reached it (directories have one name), for the ".." of readdir.
 */
final class NodeTable {
  private static final class Entry {
    final Node node;
    long lookups;
    Node parent;

    Entry(Node node, Node parent) {
      this.node = node;
      this.parent = parent;
    }
  }

  private final Map<Long, Entry> byId = new HashMap<>();
  private final Map<Node, Long> ids = new HashMap<>();
  private long nextId = FuseProtocol.ROOT_ID + 1;

  NodeTable(Node root) {
    Entry e = new Entry(root, root);
    e.lookups = 1; // the kernel never forgets the root
    byId.put(FuseProtocol.ROOT_ID, e);
    ids.put(root, FuseProtocol.ROOT_ID);
  }

  /** The node for {@code id}, or null when the kernel forgot it (or never had it). */
  synchronized Node node(long id) {
    Entry e = byId.get(id);
    return e == null ? null : e.node;
  }

  /** The parent {@code id} was reached from, or the node itself when unknown. */
  synchronized Node parent(long id) {
    Entry e = byId.get(id);
    return e == null ? null : e.parent;
  }

  /**
   * Records one more kernel reference to {@code n}, found in {@code parent}; returns its id (the
   * one it already has, if the kernel still holds it).
   */
  synchronized long lookedUp(Node n, Node parent) {
    Long id = ids.get(n);
    Entry e;
    if (id == null) {
      id = nextId++;
      e = new Entry(n, parent);
      byId.put(id, e);
      ids.put(n, id);
    } else {
      e = byId.get(id);
      if (parent != null) e.parent = parent;
    }
    e.lookups++;
    return id;
  }

  /** A directory was moved under {@code newParent}. */
  synchronized void moved(Node n, Node newParent) {
    Long id = ids.get(n);
    if (id != null) byId.get(id).parent = newParent;
  }

  /** The kernel dropped {@code count} references to {@code id}. */
  synchronized void forget(long id, long count) {
    if (id == FuseProtocol.ROOT_ID) return;
    Entry e = byId.get(id);
    if (e == null) return;
    e.lookups -= count;
    if (e.lookups <= 0) {
      byId.remove(id);
      ids.remove(e.node);
    }
  }

  synchronized int size() {
    return byId.size();
  }
}
