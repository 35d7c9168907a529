package org.jbtrfs.tree;

import java.io.IOException;

/**
 * What copy-on-write needs to keep reference counts right when a tree block may be reachable from
 * more than one tree (snapshots, relocation). The write engine answers from the extent tree plus
 * the pending delayed references, and queues the reference changes COW asks for.
 */
public interface SharedBlockRefs {
  /** Reference count and extent flags of a tree block, pending changes included. */
  record Info(long refs, long flags) {}

  Info lookup(long bytenr, int level) throws IOException;

  /** Marks a tree block's extent FULL_BACKREF: its children are referenced by its address. */
  void setFullBackref(long bytenr, int level) throws IOException;

  /**
   * Adds ({@code delta} 1) or drops (-1) one reference to every child of {@code block}: the child
   * pointers of a node, the regular and prealloc extents of a leaf. With {@code parent} 0 the
   * references are keyed by tree {@code root}; otherwise they are shared references from the block
   * at {@code parent}.
   */
  void changeChildRefs(byte[] block, long root, long parent, int delta) throws IOException;
}
