package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.jbtrfs.extent.DelayedRefs;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.txn.WriteEngine;

/**
 * Every back reference of one tree block, each with its count: the inline ones of its extent item,
 * the keyed items after it, and the changes still queued. A relocated copy takes these over.
 */
record TreeBlockRefs(Map<DelayedRefs.Ref, Long> refs, long flags) {
  static TreeBlockRefs of(WriteEngine engine, long bytenr) throws IOException {
    Map<DelayedRefs.Ref, Long> out = new HashMap<>();
    Cursor c = engine.tree(ObjectIds.EXTENT_TREE).readView().seekCeil(new Key(bytenr, 0, 0));
    if (!c.valid() || c.objectId() != bytenr || c.type() != ItemType.METADATA_ITEM) {
      throw new FormatException("tree block " + bytenr + " has no skinny extent item to move");
    }
    byte[] raw = c.data();
    ExtentItem item = ExtentItem.parse(raw, 0, raw.length, true);
    for (ExtentItem.InlineRef r : item.inlineRefs()) add(out, bytenr, r.type(), r.root());
    long counted = item.inlineRefs().size();
    for (c.next(); c.valid() && c.objectId() == bytenr; c.next()) {
      // A block group starting at the block's address has its item here too.
      if (c.type() == ItemType.BLOCK_GROUP_ITEM) continue;
      add(out, bytenr, c.type(), c.offset());
      counted++;
    }
    if (counted != item.refs()) {
      throw new FormatException(
          "tree block " + bytenr + " counts " + item.refs() + " references but lists " + counted);
    }
    Map<DelayedRefs.Ref, Long> pending = engine.refs().pendingRefs(bytenr);
    if (pending != null) {
      for (Map.Entry<DelayedRefs.Ref, Long> p : pending.entrySet()) {
        long v = out.getOrDefault(p.getKey(), 0L) + p.getValue();
        if (v < 0) throw new FormatException("tree block " + bytenr + " loses a missing reference");
        if (v == 0) out.remove(p.getKey());
        else out.put(p.getKey(), v);
      }
    }
    long flags = item.flags();
    if (engine.refs().pendingFullBackref(bytenr)) flags |= ExtentItem.FLAG_FULL_BACKREF;
    return new TreeBlockRefs(out, flags);
  }

  private static void add(Map<DelayedRefs.Ref, Long> out, long bytenr, int type, long rootOrParent)
      throws FormatException {
    if (type != ItemType.TREE_BLOCK_REF && type != ItemType.SHARED_BLOCK_REF) {
      throw new FormatException("tree block " + bytenr + " has a reference of type " + type);
    }
    out.merge(new DelayedRefs.Ref(type, rootOrParent, 0, 0), 1L, Long::sum);
  }

  long count() {
    long n = 0;
    for (long v : refs.values()) n += v;
    return n;
  }

  boolean fullBackref() {
    return (flags & ExtentItem.FLAG_FULL_BACKREF) != 0;
  }
}
