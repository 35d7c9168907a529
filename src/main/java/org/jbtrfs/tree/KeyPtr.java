package org.jbtrfs.tree;

import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * A node's key pointer: the child's first key, its address and the generation it was written in.
 * {@code key == null} marks a child that became empty and must be dropped by its parent.
 */
record KeyPtr(Key key, long bytenr, long generation) {

  static List<KeyPtr> decode(byte[] raw) {
    TreeBlock b = new TreeBlock(0, raw);
    int n = b.nritems();
    List<KeyPtr> ptrs = new ArrayList<>(n + 4);
    for (int i = 0; i < n; i++)
      ptrs.add(new KeyPtr(b.key(i), b.childBlockPtr(i), b.childGeneration(i)));
    return ptrs;
  }

  /** Rewrites the body of node {@code raw} with ptrs [from, to); the header stays but nritems. */
  static void encode(List<KeyPtr> ptrs, byte[] raw, int from, int to) {
    ByteArrays.zero(raw, TreeHeader.SIZE, raw.length);
    Le.put32(raw, TreeHeader.NRITEMS, to - from);
    for (int i = from; i < to; i++) {
      KeyPtr p = ptrs.get(i);
      int off = TreeHeader.SIZE + (i - from) * TreeHeader.KEY_PTR_SIZE;
      p.key.write(raw, off);
      Le.put64(raw, off + TreeHeader.KEY_PTR_BLOCKPTR, p.bytenr);
      Le.put64(raw, off + TreeHeader.KEY_PTR_GENERATION, p.generation);
    }
  }
}
