package org.jbtrfs.tree;

import java.io.IOException;
import org.jbtrfs.format.Key;

/** A read view of one B-tree given its root block. */
public final class Tree {
  private final MetadataReader reader;
  private final long rootBytenr;
  private final int rootLevel;
  private final long rootGeneration;
  private final long id;

  /** A tree whose id is not known: its blocks' owners are not checked. */
  public Tree(MetadataReader reader, long rootBytenr, int rootLevel, long rootGeneration) {
    this(reader, rootBytenr, rootLevel, rootGeneration, 0);
  }

  /** Tree {@code id}: every block read through it must belong to it. */
  public Tree(MetadataReader reader, long rootBytenr, int rootLevel, long rootGeneration, long id) {
    this.reader = reader;
    this.rootBytenr = rootBytenr;
    this.rootLevel = rootLevel;
    this.rootGeneration = rootGeneration;
    this.id = id;
  }

  /** The tree's id (its owner in block headers), or 0 when not known. */
  public long id() {
    return id;
  }

  public long rootBytenr() {
    return rootBytenr;
  }

  public MetadataReader reader() {
    return reader;
  }

  TreeBlock root() throws IOException {
    return reader.read(rootBytenr, rootGeneration, rootLevel, id, null, 0);
  }

  /** Cursor at the first item whose key is {@code >= key}; invalid when there is none. */
  public Cursor seekCeil(Key key) throws IOException {
    Cursor c = new Cursor(this);
    c.descend(key);
    if (c.slotAtLeaf() < 0) {
      c.setLeafSlot(0);
      c.normalizeForward();
    } else if (key.compareTo(c.key()) != 0) {
      c.setLeafSlot(c.slotAtLeaf() + 1);
      c.normalizeForward();
    }
    return c;
  }

  /** Cursor at the last item whose key is {@code <= key}; invalid when there is none. */
  public Cursor seekFloor(Key key) throws IOException {
    Cursor c = new Cursor(this);
    c.descend(key);
    if (c.slotAtLeaf() < 0) c.invalidate();
    return c;
  }

  /** Cursor at the item with exactly this key, or null. */
  public Cursor find(Key key) throws IOException {
    Cursor c = seekFloor(key);
    return c.valid() && key.compareTo(c.key()) == 0 ? c : null;
  }
}
