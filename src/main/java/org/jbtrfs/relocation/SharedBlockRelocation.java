package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jbtrfs.extent.DelayedRefs;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.TreeBlock;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;

/**
 * Moves tree blocks of subvolume trees so that what snapshots share stays shared, as the kernel's
 * relocation trees keep it: each block to move, and each block above one of them in any tree, is
 * copied once however many trees reach it (ordinary copy-on-write would copy it once per tree).
 *
 * <p>The copy takes over every reference of the original. A reference held by a parent's address
 * (SHARED_BLOCK_REF) follows that parent to its copy; so do the references a FULL_BACKREF block
 * holds by its own address on its children and, for a leaf, on its data extents. The copy keeps the
 * original's generation (and its extent item the same), so it stays what it was to every rule that
 * reads generations: a block no later than its tree's last snapshot may be shared, and
 * copy-on-write (the kernel's btrfs_block_can_be_shared too) looks its references up. A copy with
 * this transaction's generation would pass for a block of one tree; the kernel's RELOC flag would
 * mark it shared but, to btrfs check, also FULL_BACKREF, which most shared blocks are not.
 */
final class SharedBlockRelocation {
  private SharedBlockRelocation() {}

  /** A change to a leaf's copy (relocated data's new addresses); returns whether it changed. */
  interface LeafEdit {
    boolean apply(long bytenr, byte[] copy) throws IOException;

    LeafEdit NONE = (bytenr, copy) -> false;
  }

  /** Moves {@code toMove} (blocks of the graph) and copies their ancestors, in this transaction. */
  static void move(WriteEngine engine, TreeBlockGraph graph, Collection<Long> toMove)
      throws IOException {
    move(engine, graph, toMove, LeafEdit.NONE);
  }

  /**
   * {@link #move(WriteEngine, TreeBlockGraph, Collection)}, with each leaf's copy changed by {@code
   * edit}: the references of a changed leaf's file extents follow its items (by the leaf's owner,
   * or by its address when it is FULL_BACKREF).
   */
  static void move(WriteEngine engine, TreeBlockGraph graph, Collection<Long> toMove, LeafEdit edit)
      throws IOException {
    Set<Long> copied = graph.withAncestors(toMove);
    int nodeSize = engine.fs().superblock().nodeSize();
    DelayedRefs refs = engine.refs();
    Map<Long, Long> copyOf = new HashMap<>();
    Map<Long, byte[]> old = new LinkedHashMap<>();
    Map<Long, TreeBlockRefs> backrefs = new HashMap<>();
    // Every reference is read and every new address taken before anything changes, so that a
    // block's copy and its parents' copies can name each other.
    for (long b : copied) {
      TreeBlockGraph.Block blk = graph.get(b);
      byte[] raw = engine.tree(blk.via).readBlock(b, blk.generation, blk.level);
      requireMixedBackrefs(b, raw);
      old.put(b, raw);
      backrefs.put(b, TreeBlockRefs.of(engine, b));
    }
    for (long b : copied) {
      TreeBlockGraph.Block blk = graph.get(b);
      long owner = Le.u64(old.get(b), TreeHeader.OWNER);
      long fresh = engine.allocate(owner, blk.level);
      // The allocation's own reference: the copy gets the original's instead.
      refs.treeBlockRef(fresh, nodeSize, blk.level, owner, 0, -1);
      copyOf.put(b, fresh);
    }
    for (long b : copied) {
      TreeBlockGraph.Block blk = graph.get(b);
      TreeBlockRefs r = backrefs.get(b);
      long fresh = copyOf.get(b);
      byte[] copy = copyWithPointers(old.get(b), fresh, copyOf);
      refs.keepGeneration(fresh, blk.generation);
      boolean edited = blk.level == 0 && edit.apply(b, copy);
      engine.placeTreeBlock(fresh, copy);
      moveOwnRefs(refs, nodeSize, blk, r, fresh, copyOf);
      if (r.fullBackref()) {
        refs.setFullBackref(fresh, nodeSize, blk.level);
        moveChildRefs(engine, nodeSize, old.get(b), copy, b, fresh, copyOf);
      } else if (edited) {
        // Keyed by the leaf's owner (the kernel keys a block's children so unless it is
        // FULL_BACKREF); the items the edit left alone cancel out.
        long owner = Le.u64(copy, TreeHeader.OWNER);
        engine.sharedRefs().changeChildRefs(copy, owner, 0, 1);
        engine.sharedRefs().changeChildRefs(old.get(b), owner, 0, -1);
      }
      for (long tree : blk.rootOf) {
        WritableTree t = engine.tree(tree);
        if (t.rootBytenr() != b) {
          throw new IllegalStateException("tree " + tree + " changed its root during relocation");
        }
        t.adoptRoot(fresh, blk.generation);
      }
    }
  }

  /**
   * The block at {@code fresh}: same items and generation, pointers at copied children changed to
   * the copies (which keep their generations too). The commit fills the checksum.
   */
  private static byte[] copyWithPointers(byte[] old, long fresh, Map<Long, Long> copyOf) {
    byte[] copy = old.clone();
    ByteArrays.zero(copy, TreeHeader.CSUM, TreeHeader.FSID);
    Le.put64(copy, TreeHeader.BYTENR, fresh);
    Le.put64(copy, TreeHeader.FLAGS, Le.u64(old, TreeHeader.FLAGS) & ~TreeHeader.FLAG_WRITTEN);
    TreeBlock node = new TreeBlock(0, copy);
    if (node.level() == 0) return copy;
    for (int slot = 0; slot < node.nritems(); slot++) {
      Long moved = copyOf.get(node.childBlockPtr(slot));
      if (moved != null) Le.put64(copy, node.keyOffset(slot) + TreeHeader.KEY_PTR_BLOCKPTR, moved);
    }
    return copy;
  }

  /** The original's references, moved to the copy; a parent's address becomes its copy's. */
  private static void moveOwnRefs(
      DelayedRefs refs,
      int nodeSize,
      TreeBlockGraph.Block blk,
      TreeBlockRefs r,
      long fresh,
      Map<Long, Long> copyOf)
      throws FormatException {
    if (r.count() <= 0) {
      throw new FormatException("tree block " + blk.bytenr + " has no references to move");
    }
    for (Map.Entry<DelayedRefs.Ref, Long> e : r.refs().entrySet()) {
      DelayedRefs.Ref ref = e.getKey();
      long n = e.getValue();
      if (ref.type() == ItemType.TREE_BLOCK_REF) {
        refs.treeBlockRef(blk.bytenr, nodeSize, blk.level, ref.root(), 0, -n);
        refs.treeBlockRef(fresh, nodeSize, blk.level, ref.root(), 0, n);
        continue;
      }
      long parent = ref.root();
      Long parentCopy = copyOf.get(parent);
      if (parentCopy == null || !blk.parents.contains(parent)) {
        throw new FormatException(
            "tree block "
                + blk.bytenr
                + " is referenced by block "
                + parent
                + ", which no subvolume tree reaches");
      }
      refs.treeBlockRef(blk.bytenr, nodeSize, blk.level, 0, parent, -n);
      refs.treeBlockRef(fresh, nodeSize, blk.level, 0, parentCopy, n);
    }
  }

  /**
   * A FULL_BACKREF block references its children by its address: those references follow it to the
   * copy, except for children copied too (their own references moved with them).
   */
  private static void moveChildRefs(
      WriteEngine engine,
      int nodeSize,
      byte[] old,
      byte[] copy,
      long bytenr,
      long fresh,
      Map<Long, Long> copyOf)
      throws IOException {
    TreeBlock node = new TreeBlock(0, old);
    if (node.level() == 0) {
      engine.sharedRefs().changeChildRefs(copy, 0, fresh, 1);
      engine.sharedRefs().changeChildRefs(old, 0, bytenr, -1);
      return;
    }
    for (int slot = 0; slot < node.nritems(); slot++) {
      long child = node.childBlockPtr(slot);
      if (copyOf.containsKey(child)) continue;
      engine.refs().treeBlockRef(child, nodeSize, node.level() - 1, 0, fresh, 1);
      engine.refs().treeBlockRef(child, nodeSize, node.level() - 1, 0, bytenr, -1);
    }
  }

  private static void requireMixedBackrefs(long bytenr, byte[] raw) throws FormatException {
    if (Le.u64(raw, TreeHeader.FLAGS) >>> TreeHeader.BACKREF_REV_SHIFT != 1) {
      throw new FormatException(
          "tree block "
              + bytenr
              + " has the old back reference revision; relocating such blocks is not supported");
    }
  }
}
