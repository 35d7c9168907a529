package org.jbtrfs.fuse;

import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.jbtrfs.fs.Node;

/**
 * The nodes the kernel holds and how often it was given each. Ids come from the inode itself (see
 * {@link NodeIds}), so hard links share one kernel inode and its cached attributes, and an id the
 * kernel sends after we dropped its entry still names its inode. Every entry reply adds one
 * reference, FORGET takes them back. A directory's parent is remembered from the lookup that
 * reached it (directories have one name), sparing readdir's ".." a tree search.
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
  private final Node root;
  private final ToLongFunction<Node> ids;

  /** {@code ids}: the id of every node but the root, which is FUSE's 1. */
  NodeTable(Node root, ToLongFunction<Node> ids) {
    this.root = root;
    this.ids = ids;
    Entry e = new Entry(root, root);
    e.lookups = 1; // the kernel never forgets the root
    byId.put(FuseProtocol.ROOT_ID, e);
  }

  /** The id the kernel knows {@code n} by. */
  long idOf(Node n) {
    return n.equals(root) ? FuseProtocol.ROOT_ID : ids.applyAsLong(n);
  }

  /** The node for {@code id}, or null when the kernel forgot it (or never had it). */
  synchronized Node node(long id) {
    Entry e = byId.get(id);
    return e == null ? null : e.node;
  }

  /** The parent {@code id} was reached from, or null when unknown. */
  synchronized Node parent(long id) {
    Entry e = byId.get(id);
    return e == null ? null : e.parent;
  }

  /**
   * Records one more kernel reference to {@code n}, found in {@code parent} (null when not known);
   * returns its id.
   */
  synchronized long lookedUp(Node n, Node parent) {
    long id = idOf(n);
    Entry e = byId.get(id);
    if (e == null) {
      e = new Entry(n, parent);
      byId.put(id, e);
    } else if (parent != null) {
      e.parent = parent;
    }
    e.lookups++;
    return id;
  }

  /** A directory was moved under {@code newParent}. */
  synchronized void moved(Node n, Node newParent) {
    Entry e = byId.get(idOf(n));
    if (e != null) e.parent = newParent;
  }

  /** The kernel dropped {@code count} references to {@code id}. */
  synchronized void forget(long id, long count) {
    if (id == FuseProtocol.ROOT_ID) return;
    Entry e = byId.get(id);
    if (e == null) return;
    e.lookups -= count;
    if (e.lookups <= 0) byId.remove(id);
  }

  synchronized int size() {
    return byId.size();
  }
}
