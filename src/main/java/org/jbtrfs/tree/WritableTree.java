package org.jbtrfs.tree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.ObjIntConsumer;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * A copy-on-write B-tree over btrfs tree blocks in the on-disk layout. Every change walks from the
 * root to the leaf COWing each block on the way down (as btrfs_search_slot with cow=1 does), edits
 * the leaf, then fixes the path bottom-up: overfull blocks split to the right, underfull ones merge
 * with or borrow from a neighbour, empty leaves disappear, parent pointers are rewritten with the
 * child's new address, generation and first key; the root grows or shrinks a level as needed.
 *
 * <p>Lookups and the "is there anything to do" checks run first without COW, so a call that changes
 * nothing (insert of an existing key, delete of a missing one) dirties no block.
 *
 * <p>Not thread-safe; one writer per tree per transaction. Every block is made writable through one
 * function (BlockCow.writable), top-down, whatever the change (insert, delete, split, merge with a
 * sibling, root growth or shrink), so blocks shared with snapshots keep correct counts.
 */
public final class WritableTree {
  /**
   * Edits the writable leaf; returns items to re-encode, or null when it edited the block in place.
   */
  private interface LeafOp {
    LeafItems apply(byte[] leaf) throws IOException;
  }

  private final WriteContext ctx;
  private final long owner;
  private final BlockCow cow;
  private final Siblings siblings;
  private long rootBytenr;
  private int rootLevel;
  private long rootGeneration;
  private boolean rootChanged;

  /**
   * The change running may leave its leaf emptier (a delete, a resize): only then is a withered
   * child merged with a neighbour, as the kernel rebalances on deletion. A leaf that only grows
   * keeps its size: the one a right-edge split started fills up from nearly empty.
   */
  private boolean shrinking;

  public WritableTree(
      WriteContext ctx, long owner, long rootBytenr, int rootLevel, long rootGeneration) {
    this(ctx, owner, rootBytenr, rootLevel, rootGeneration, Sharing.PRIVATE);
  }

  public WritableTree(
      WriteContext ctx,
      long owner,
      long rootBytenr,
      int rootLevel,
      long rootGeneration,
      Sharing sharing) {
    this.ctx = ctx;
    this.owner = owner;
    this.cow = new BlockCow(ctx, owner, sharing);
    this.siblings = new Siblings(cow, ctx.nodeSize());
    this.rootBytenr = rootBytenr;
    this.rootLevel = rootLevel;
    this.rootGeneration = rootGeneration;
  }

  /** Creates a new empty tree (one empty leaf) for {@code owner}. */
  public static WritableTree create(WriteContext ctx, long owner) throws IOException {
    BlockCow.Writable leaf = new BlockCow(ctx, owner, Sharing.PRIVATE).fresh(0);
    WritableTree t = new WritableTree(ctx, owner, leaf.bytenr(), 0, ctx.transid());
    t.rootChanged = true;
    return t;
  }

  /**
   * A new shareable tree for {@code owner} whose root is a copy of another tree's root block
   * ({@code bytenr} at {@code generation}, {@code level}): every child of that block gains a
   * reference from {@code owner}, so a snapshot costs one block whatever the tree's size.
   */
  public static WritableTree snapshotOf(
      WriteContext ctx, long owner, long bytenr, long generation, int level, Sharing sharing)
      throws IOException {
    if (!sharing.shareable() || sharing.refs() == null) {
      throw new IllegalArgumentException("a snapshot of tree " + owner + " must be shareable");
    }
    BlockCow.Writable root = new BlockCow(ctx, owner, sharing).copyOf(bytenr, generation, level);
    sharing.refs().changeChildRefs(root.raw(), owner, 0, 1);
    WritableTree t = new WritableTree(ctx, owner, root.bytenr(), level, ctx.transid(), sharing);
    t.rootChanged = true;
    return t;
  }

  public long owner() {
    return owner;
  }

  public long rootBytenr() {
    return rootBytenr;
  }

  public int rootLevel() {
    return rootLevel;
  }

  public long rootGeneration() {
    return rootGeneration;
  }

  /** True once the root was COWed or replaced through this instance. */
  public boolean rootChanged() {
    return rootChanged;
  }

  /**
   * A read-only view at the current root. It reads through {@code ctx.reader()}, so that reader's
   * overlay must be {@code ctx.dirty()} for uncommitted blocks to be visible.
   */
  public Tree readView() {
    return new Tree(ctx.reader(), rootBytenr, rootLevel, rootGeneration, owner());
  }

  public byte[] get(Key key) throws IOException {
    byte[] leaf = leafFor(key, null);
    int slot = slotOf(leaf, key);
    if (slot < 0) return null;
    TreeBlock b = new TreeBlock(0, leaf);
    int off = b.itemDataOffset(slot);
    return Arrays.copyOfRange(leaf, off, off + b.itemDataSize(slot));
  }

  /** Inserts a new item; returns false (and changes nothing) when the key already exists. */
  public boolean insert(Key key, byte[] data) throws IOException {
    checkSize(data.length);
    if (contains(key)) return false;
    byte[] copy = data.clone();
    change(
        key,
        leaf -> {
          if (LeafEdit.freeSpace(leaf) >= LeafItems.footprintOf(copy.length)) {
            LeafEdit.insert(leaf, new TreeBlock(0, leaf).floorSlot(key) + 1, key, copy);
            return null;
          }
          LeafItems items = LeafItems.decode(leaf);
          int slot = -items.find(key) - 1;
          items.add(slot, key, copy);
          items.hot = slot;
          return items;
        });
    return true;
  }

  /** Inserts the item or replaces the data of an existing one (the size may change). */
  public void put(Key key, byte[] data) throws IOException {
    checkSize(data.length);
    byte[] copy = data.clone();
    change(
        key,
        leaf -> {
          if (putInPlace(leaf, key, copy)) return null;
          LeafItems items = LeafItems.decode(leaf);
          int slot = items.find(key);
          if (slot >= 0) {
            items.data.set(slot, copy);
          } else {
            slot = -slot - 1;
            items.add(slot, key, copy);
          }
          items.hot = slot;
          return items;
        });
  }

  public boolean delete(Key key) throws IOException {
    if (!contains(key)) return false;
    shrinking = true;
    change(
        key,
        leaf -> {
          LeafEdit.delete(leaf, slotOf(leaf, key));
          return null;
        });
    return true;
  }

  /**
   * Stores {@code data} under {@code key} without re-encoding the leaf; false when it won't fit.
   */
  private static boolean putInPlace(byte[] leaf, Key key, byte[] data) {
    TreeBlock b = new TreeBlock(0, leaf);
    int floor = b.floorSlot(key);
    int free = LeafEdit.freeSpace(leaf);
    if (floor >= 0 && key.compareTo(leaf, b.keyOffset(floor)) == 0) {
      if (data.length - b.itemDataSize(floor) > free) return false;
      LeafEdit.replace(leaf, floor, data);
      return true;
    }
    if (LeafItems.footprintOf(data.length) > free) return false;
    LeafEdit.insert(leaf, floor + 1, key, data);
    return true;
  }

  /** Deletes every item with {@code from <= key <= to}, one leaf per descent; returns the count. */
  public int deleteRange(Key fromInclusive, Key toInclusive) throws IOException {
    int count = 0;
    Key cur = fromInclusive;
    while (cur != null && cur.compareTo(toInclusive) <= 0) {
      Key[] next = new Key[1];
      byte[] leaf = leafFor(cur, next);
      int n = countInRange(leaf, cur, toInclusive);
      if (n > 0) {
        Key lo = cur;
        shrinking = true;
        change(
            cur,
            w -> {
              LeafItems items = LeafItems.decode(w);
              for (int i = items.size() - 1; i >= 0; i--) {
                Key k = items.keys.get(i);
                if (k.compareTo(lo) >= 0 && k.compareTo(toInclusive) <= 0) items.remove(i);
              }
              return items;
            });
        count += n;
      }
      // Everything in range below the next leaf's first key was in this leaf and is gone now.
      cur = next[0];
    }
    return count;
  }

  /**
   * Changes an item's data in place (same size). {@code edit} receives the writable block and the
   * absolute offset of the item's data in it; it must write only within the item's data.
   */
  public boolean modify(Key key, ObjIntConsumer<byte[]> edit) throws IOException {
    if (!contains(key)) return false;
    change(
        key,
        leaf -> {
          edit.accept(leaf, new TreeBlock(0, leaf).itemDataOffset(slotOf(leaf, key)));
          return null;
        });
    return true;
  }

  /** Grows the item's data (zero-filled at the end) or truncates it. */
  public void resize(Key key, int newSize) throws IOException {
    checkSize(newSize);
    if (!contains(key)) throw new NoSuchElementException("no item " + key);
    shrinking = true;
    change(
        key,
        leaf -> {
          LeafItems items = LeafItems.decode(leaf);
          int slot = items.find(key);
          items.data.set(slot, Arrays.copyOf(items.data.get(slot), newSize));
          items.hot = slot;
          return items;
        });
  }

  /**
   * Copies-on-write the blocks from the root down to level {@code downTo} on the path to {@code
   * key}, changing no item: relocation moves tree blocks this way, since each COW puts the copy
   * where the allocator allows (the group being emptied is closed to it).
   */
  public void cowPath(Key key, int downTo) throws IOException {
    BlockCow.Writable w = cow.writable(rootBytenr, rootGeneration, rootLevel, true);
    if (w.bytenr() != rootBytenr) rootChanged = true;
    rootBytenr = w.bytenr();
    rootGeneration = cow.transid();
    byte[] raw = w.raw();
    for (int level = rootLevel; level > Math.max(0, downTo); level--) {
      TreeBlock node = new TreeBlock(0, raw);
      int slot = childSlot(node, key);
      int off = node.keyOffset(slot);
      BlockCow.Writable child =
          cow.writable(
              node.childBlockPtr(slot), node.childGeneration(slot), level - 1, false, raw, off);
      Le.put64(raw, off + TreeHeader.KEY_PTR_BLOCKPTR, child.bytenr());
      Le.put64(raw, off + TreeHeader.KEY_PTR_GENERATION, cow.transid());
      raw = child.raw();
    }
  }

  /** Told of each block of a walk: its level, its key in its parent (null for the root). */
  public interface BlockVisitor {
    void visit(int level, Key key, long bytenr) throws IOException;
  }

  /**
   * Visits the root and every block a node points to, as this transaction has the tree; reads the
   * nodes only, never a leaf.
   */
  public void visitBlocks(BlockVisitor v) throws IOException {
    v.visit(rootLevel, null, rootBytenr);
    visitChildren(rootBytenr, rootGeneration, rootLevel, v);
  }

  private void visitChildren(long bytenr, long gen, int level, BlockVisitor v) throws IOException {
    if (level == 0) return;
    TreeBlock node = new TreeBlock(0, cow.read(bytenr, gen, level));
    for (int slot = 0; slot < node.nritems(); slot++) {
      v.visit(level - 1, node.key(slot), node.childBlockPtr(slot));
      visitChildren(node.childBlockPtr(slot), node.childGeneration(slot), level - 1, v);
    }
  }

  /** Told of each block of {@link #visitNodes}; returns whether to go on into its children. */
  public interface NodeVisitor {
    /** {@code parent} is the address of the node pointing here, 0 for the root. */
    boolean visit(int level, long bytenr, long generation, long parent) throws IOException;
  }

  /**
   * Visits the root and, where the visitor asks, the blocks below, as this transaction has the
   * tree; reads the nodes it goes into, never a leaf. A walk over trees that share blocks can stop
   * at a block it has seen before.
   */
  public void visitNodes(NodeVisitor v) throws IOException {
    if (v.visit(rootLevel, rootBytenr, rootGeneration, 0)) {
      visitNodesBelow(rootBytenr, rootGeneration, rootLevel, v);
    }
  }

  private void visitNodesBelow(long bytenr, long gen, int level, NodeVisitor v) throws IOException {
    if (level == 0) return;
    TreeBlock node = new TreeBlock(0, cow.read(bytenr, gen, level));
    for (int slot = 0; slot < node.nritems(); slot++) {
      long child = node.childBlockPtr(slot);
      long childGen = node.childGeneration(slot);
      if (v.visit(level - 1, child, childGen, bytenr)) {
        visitNodesBelow(child, childGen, level - 1, v);
      }
    }
  }

  /**
   * A block's current contents (the dirty copy, else the verified one on disk). Shared with caches:
   * never to be changed.
   */
  public byte[] readBlock(long bytenr, long generation, int level) throws IOException {
    return cow.read(bytenr, generation, level);
  }

  /**
   * Makes a block already in the dirty set, at the root's level, the root: relocation puts a copy
   * of the root elsewhere and hands it over this way.
   */
  public void adoptRoot(long bytenr, long generation) {
    rootBytenr = bytenr;
    rootGeneration = generation;
    rootChanged = true;
  }

  private void checkSize(int dataLen) {
    if (dataLen < 0 || LeafItems.footprintOf(dataLen) > siblings.leafCapacity()) {
      throw new IllegalArgumentException(
          "item of " + dataLen + " bytes does not fit a " + ctx.nodeSize() + "-byte leaf");
    }
  }

  private boolean contains(Key key) throws IOException {
    return slotOf(leafFor(key, null), key) >= 0;
  }

  private static int slotOf(byte[] leaf, Key key) {
    TreeBlock b = new TreeBlock(0, leaf);
    int slot = b.floorSlot(key);
    return slot >= 0 && key.compareTo(leaf, b.keyOffset(slot)) == 0 ? slot : -1;
  }

  private static int countInRange(byte[] leaf, Key from, Key to) {
    TreeBlock b = new TreeBlock(0, leaf);
    int n = 0;
    for (int i = 0; i < b.nritems(); i++) {
      if (from.compareTo(leaf, b.keyOffset(i)) <= 0 && to.compareTo(leaf, b.keyOffset(i)) >= 0) n++;
    }
    return n;
  }

  /**
   * Read-only descent to the leaf that would hold {@code key}. When {@code next} is given, next[0]
   * becomes the first key of the following leaf (null at the end of the tree).
   */
  private byte[] leafFor(Key key, Key[] next) throws IOException {
    byte[] raw = cow.read(rootBytenr, rootGeneration, rootLevel);
    for (int level = rootLevel; level > 0; level--) {
      TreeBlock node = new TreeBlock(0, raw);
      int slot = childSlot(node, key);
      if (next != null && slot + 1 < node.nritems()) next[0] = node.key(slot + 1);
      raw =
          cow.read(
              node.childBlockPtr(slot),
              node.childGeneration(slot),
              level - 1,
              node.raw(),
              node.keyOffset(slot));
    }
    return raw;
  }

  /** Applies {@code op} to the leaf for {@code key} and fixes the tree shape up to the root. */
  private void change(Key key, LeafOp op) throws IOException {
    List<KeyPtr> top;
    try {
      top = descend(rootBytenr, rootGeneration, rootLevel, key, op, null, 0, true);
    } finally {
      shrinking = false;
    }
    int level = rootLevel;
    while (top.size() > 1) { // the root split: stack a new root on top
      level++;
      if (level >= TreeHeader.MAX_LEVEL) throw new IllegalStateException("tree too tall");
      top = packNodes(top, new ArrayList<>(), level);
    }
    KeyPtr root = top.get(0);
    if (root.key() == null && level > 0) { // every item is gone: back to one empty leaf
      cow.free(root.bytenr(), level);
      root = new KeyPtr(null, cow.fresh(0).bytenr(), cow.transid());
      level = 0;
    }
    while (level > 0) { // a root node with a single child is replaced by that child
      TreeBlock node = new TreeBlock(0, cow.read(root.bytenr(), root.generation(), level));
      if (node.nritems() != 1) break;
      // COWed while still a child (a no-op when the descent already did): a promoted block must
      // be this tree's alone, as roots are never shared.
      BlockCow.Writable child =
          cow.writable(node.childBlockPtr(0), node.childGeneration(0), level - 1, false);
      cow.free(root.bytenr(), level);
      root = new KeyPtr(node.key(0), child.bytenr(), cow.transid());
      level--;
    }
    if (root.bytenr() != rootBytenr || level != rootLevel) rootChanged = true;
    rootBytenr = root.bytenr();
    rootLevel = level;
    rootGeneration = root.generation();
  }

  /**
   * COWs the block, recurses towards the leaf and returns the pointers that replace this block in
   * its parent: one (possibly with a new first key), several after a split, or one with a null key
   * when the block ended up empty. {@code rightEdge}: the block is the last of its level.
   */
  private List<KeyPtr> descend(
      long bytenr,
      long gen,
      int level,
      Key key,
      LeafOp op,
      byte[] parentRaw,
      int keyOff,
      boolean rightEdge)
      throws IOException {
    BlockCow.Writable w = cow.writable(bytenr, gen, level, bytenr == rootBytenr, parentRaw, keyOff);
    if (level == 0) return finishLeaf(w, op.apply(w.raw()), rightEdge);
    TreeBlock node = new TreeBlock(w.bytenr(), w.raw());
    int slot = childSlot(node, key);
    List<KeyPtr> repl =
        descend(
            node.childBlockPtr(slot),
            node.childGeneration(slot),
            level - 1,
            key,
            op,
            w.raw(),
            node.keyOffset(slot),
            rightEdge && slot == node.nritems() - 1);
    if (repl.size() == 1
        && repl.get(0).key() != null
        && !(shrinking && siblings.needsRebalance(repl.get(0), level - 1))) {
      // The common case: the child kept its place and size, only its pointer changes. Rewriting
      // that one key pointer gives the same bytes as re-encoding the node.
      KeyPtr p = repl.get(0);
      int off = node.keyOffset(slot);
      p.key().write(w.raw(), off);
      Le.put64(w.raw(), off + TreeHeader.KEY_PTR_BLOCKPTR, p.bytenr());
      Le.put64(w.raw(), off + TreeHeader.KEY_PTR_GENERATION, p.generation());
      return List.of(new KeyPtr(node.key(0), w.bytenr(), cow.transid()));
    }
    // The node itself is unchanged by the descent below it, so it can be decoded now.
    List<KeyPtr> ptrs = KeyPtr.decode(w.raw());
    ptrs.remove(slot);
    int kept = 0;
    for (KeyPtr p : repl) {
      if (p.key() == null) {
        cow.free(p.bytenr(), level - 1); // an emptied child is unlinked and released
      } else {
        ptrs.add(slot + kept++, p);
      }
    }
    if (kept == 1 && shrinking) siblings.rebalance(ptrs, slot, level - 1);
    if (ptrs.isEmpty()) return List.of(new KeyPtr(null, w.bytenr(), cow.transid()));
    int[] cuts = SplitPlan.evenCuts(ptrs.size(), siblings.maxPtrs());
    List<KeyPtr> out = new ArrayList<>();
    out.add(writeNode(w, ptrs, 0, cuts.length == 0 ? ptrs.size() : cuts[0]));
    for (int i = 0; i < cuts.length; i++) {
      int end = i + 1 < cuts.length ? cuts[i + 1] : ptrs.size();
      out.add(writeNode(cow.fresh(level), ptrs, cuts[i], end));
    }
    return out;
  }

  /** Slot of the child whose subtree holds {@code key}: the last key {@code <= key}, or 0. */
  private static int childSlot(TreeBlock node, Key key) {
    return Math.max(0, node.floorSlot(key));
  }

  private List<KeyPtr> finishLeaf(BlockCow.Writable w, LeafItems items, boolean rightEdge)
      throws IOException {
    if (items == null) { // edited in place: still one block, whose first key may have changed
      TreeBlock b = new TreeBlock(w.bytenr(), w.raw());
      return List.of(new KeyPtr(b.nritems() == 0 ? null : b.key(0), w.bytenr(), cow.transid()));
    }
    if (items.size() == 0) {
      items.encode(w.raw(), 0, 0);
      return List.of(new KeyPtr(null, w.bytenr(), cow.transid()));
    }
    int[] cuts = SplitPlan.leafCuts(items, siblings.leafCapacity(), items.hot, rightEdge);
    List<KeyPtr> out = new ArrayList<>();
    int start = 0;
    for (int g = 0; g <= cuts.length; g++) {
      int end = g < cuts.length ? cuts[g] : items.size();
      BlockCow.Writable b = g == 0 ? w : cow.fresh(0);
      items.encode(b.raw(), start, end);
      out.add(new KeyPtr(items.keys.get(start), b.bytenr(), cow.transid()));
      start = end;
    }
    return out;
  }

  /**
   * Builds new nodes at {@code level} over {@code kids} (a grown root), appending their pointers.
   */
  private List<KeyPtr> packNodes(List<KeyPtr> kids, List<KeyPtr> out, int level)
      throws IOException {
    int[] cuts = SplitPlan.evenCuts(kids.size(), siblings.maxPtrs());
    int start = 0;
    for (int g = 0; g <= cuts.length; g++) {
      int end = g < cuts.length ? cuts[g] : kids.size();
      out.add(writeNode(cow.fresh(level), kids, start, end));
      start = end;
    }
    return out;
  }

  private KeyPtr writeNode(BlockCow.Writable w, List<KeyPtr> ptrs, int from, int to) {
    KeyPtr.encode(ptrs, w.raw(), from, to);
    return new KeyPtr(ptrs.get(from).key(), w.bytenr(), cow.transid());
  }
}
