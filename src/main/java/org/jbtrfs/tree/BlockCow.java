package org.jbtrfs.tree;

import java.io.IOException;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.ExtentItem;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * Copy-on-write of single tree blocks for one tree in one transaction. A block is writable when it
 * is in the dirty set with this transaction's generation; anything else (committed, shared with the
 * cache) is copied to a fresh address first, and the old address is handed back to the allocator.
 * Never mutates a block it did not make writable itself.
 *
 * <p>A block of a shareable tree may also be referenced by snapshots. Before such a block is
 * copied, the references of its children are moved so that both the copy (now this tree's) and the
 * old block (still the other trees') account for them, following the kernel's update_ref_for_cow.
 */
final class BlockCow {
  /** A block this transaction may modify in place, at its (possibly new) address. */
  record Writable(long bytenr, byte[] raw) {}

  /** Flags of a freshly COWed block: WRITTEN/RELOC cleared, backref revision MIXED (1). */
  static final long COW_FLAGS = 1L << TreeHeader.BACKREF_REV_SHIFT;

  private static final long MIXED_BACKREF_REV = 1;

  /** Extent flag: the block's children are referenced by its address (shared refs). */
  private static final long FULL_BACKREF = ExtentItem.FLAG_FULL_BACKREF;

  private final WriteContext ctx;
  private final long owner;
  private final Sharing sharing;

  BlockCow(WriteContext ctx, long owner, Sharing sharing) {
    this.ctx = ctx;
    this.owner = owner;
    this.sharing = sharing;
  }

  long transid() {
    return ctx.transid();
  }

  /** This transaction's in-memory copy of {@code bytenr}, or null if it is not writable yet. */
  byte[] writableOrNull(long bytenr) {
    byte[] d = ctx.dirty().dirty(bytenr);
    // A relocated block may be shared even when new (the kernel's should_cow_block): it is
    // copied like any shared block, never changed in place.
    return d != null
            && Le.u64(d, TreeHeader.GENERATION) == ctx.transid()
            && (Le.u64(d, TreeHeader.FLAGS) & TreeHeader.FLAG_RELOC) == 0
        ? d
        : null;
  }

  /** Current contents of a block for reading: dirty copy first, then the verified on-disk one. */
  byte[] read(long bytenr, long generation, int level) throws IOException {
    return read(bytenr, generation, level, null, 0);
  }

  /**
   * Like {@link #read(long, long, int)} for a child of {@code parentRaw}, whose pointer key at
   * {@code keyOff} a block read from disk must start with (and which this tree must own).
   */
  byte[] read(long bytenr, long generation, int level, byte[] parentRaw, int keyOff)
      throws IOException {
    byte[] d = ctx.dirty().dirty(bytenr);
    if (d != null) return d;
    return ctx.reader().read(bytenr, generation, level, owner, parentRaw, keyOff).raw();
  }

  /**
   * Makes the block writable, COWing it to a new address unless this transaction already did.
   * {@code isRoot} says the block is the tree's root, which is never shared (a snapshot copies the
   * root block instead).
   */
  Writable writable(long bytenr, long generation, int level, boolean isRoot) throws IOException {
    return writable(bytenr, generation, level, isRoot, null, 0);
  }

  /** {@link #writable(long, long, int, boolean)} for a child of {@code parentRaw} (see read). */
  Writable writable(
      long bytenr, long generation, int level, boolean isRoot, byte[] parentRaw, int keyOff)
      throws IOException {
    byte[] own = writableOrNull(bytenr);
    if (own != null) return new Writable(bytenr, own);
    byte[] old = read(bytenr, generation, level, parentRaw, keyOff);
    byte[] copy = old.clone(); // cached blocks are shared: copy
    long fresh = allocate(level);
    stampHeader(copy, fresh, level);
    ctx.dirty().put(fresh, copy);
    moveChildRefs(bytenr, old, copy, level, isRoot);
    free(bytenr, level);
    return new Writable(fresh, copy);
  }

  /**
   * Reference bookkeeping before this tree drops its reference to {@code old} for {@code copy}.
   * Top-down COW guarantees that the parent's copy already references {@code old} by this tree's
   * root, so only the children need attention:
   *
   * <ul>
   *   <li>still shared, owned here, children keyed by owner: the old block keeps its children
   *       through shared (parent) references and becomes FULL_BACKREF; the children's keyed
   *       references now count for the copy;
   *   <li>still shared otherwise: the copy adds this tree's keyed references;
   *   <li>last reference but FULL_BACKREF: the copy adds keyed references and the old block's
   *       shared references go with it.
   * </ul>
   */
  private void moveChildRefs(long bytenr, byte[] old, byte[] copy, int level, boolean isRoot)
      throws IOException {
    long refs = 1;
    long flags = 0;
    if (mayBeShared(old, isRoot)) {
      SharedBlockRefs.Info info = sharing.refs().lookup(bytenr, level);
      if (info.refs() <= 0) {
        throw new IllegalStateException(
            "tree block " + bytenr + " of tree " + owner + " has no references");
      }
      refs = info.refs();
      flags = info.flags();
    } else if (backrefRev(old) < MIXED_BACKREF_REV) {
      flags = FULL_BACKREF; // pre-2.6.31 blocks reference their children by address
    }
    if (refs == 1 && (flags & FULL_BACKREF) == 0) return;
    SharedBlockRefs shared = sharing.refs();
    if (shared == null) {
      throw new IllegalStateException("tree " + owner + " has shared block " + bytenr);
    }
    if (refs > 1) {
      if (Le.u64(old, TreeHeader.OWNER) == owner && (flags & FULL_BACKREF) == 0) {
        shared.changeChildRefs(old, owner, bytenr, 1);
        shared.setFullBackref(bytenr, level);
      } else {
        shared.changeChildRefs(copy, owner, 0, 1);
      }
    } else {
      shared.changeChildRefs(copy, owner, 0, 1);
      shared.changeChildRefs(old, owner, bytenr, -1);
    }
  }

  /** The kernel's btrfs_block_can_be_shared for trees that are not created in this transaction. */
  private boolean mayBeShared(byte[] block, boolean isRoot) {
    if (!sharing.shareable() || isRoot) return false;
    long gen = Le.u64(block, TreeHeader.GENERATION);
    return Long.compareUnsigned(gen, sharing.lastSnapshot()) <= 0
        || (Le.u64(block, TreeHeader.FLAGS) & TreeHeader.FLAG_RELOC) != 0;
  }

  private static long backrefRev(byte[] block) {
    return Le.u64(block, TreeHeader.FLAGS) >>> TreeHeader.BACKREF_REV_SHIFT;
  }

  /**
   * A copy of another tree's block as this tree's, at a fresh address, already dirty: the root of a
   * snapshot (the kernel's btrfs_copy_root). The caller adds this tree's references to the
   * children.
   */
  Writable copyOf(long bytenr, long generation, int level) throws IOException {
    byte[] copy = read(bytenr, generation, level).clone();
    long fresh = allocate(level);
    stampHeader(copy, fresh, level);
    ctx.dirty().put(fresh, copy);
    return new Writable(fresh, copy);
  }

  /** A new, empty block at {@code level} (nritems 0), already dirty. */
  Writable fresh(int level) throws IOException {
    byte[] raw = new byte[ctx.nodeSize()];
    long bytenr = allocate(level);
    stampHeader(raw, bytenr, level);
    ctx.dirty().put(bytenr, raw);
    return new Writable(bytenr, raw);
  }

  /**
   * This tree stops referencing {@code bytenr}; a block born in this transaction never hits disk.
   */
  void free(long bytenr, int level) throws IOException {
    if (writableOrNull(bytenr) != null) ctx.dirty().remove(bytenr);
    ctx.allocator().free(bytenr, owner, level);
  }

  private long allocate(int level) throws IOException {
    long bytenr = ctx.allocator().allocate(owner, level);
    ctx.reader().invalidate(bytenr); // the address may have held another block once
    return bytenr;
  }

  /**
   * Header fields every block written by this transaction carries; the checksum is the commit's
   * job.
   */
  private void stampHeader(byte[] raw, long bytenr, int level) {
    ByteArrays.zero(raw, TreeHeader.CSUM, TreeHeader.FSID);
    System.arraycopy(ctx.fsid(), 0, raw, TreeHeader.FSID, 16);
    Le.put64(raw, TreeHeader.BYTENR, bytenr);
    Le.put64(raw, TreeHeader.FLAGS, COW_FLAGS);
    System.arraycopy(ctx.chunkTreeUuid(), 0, raw, TreeHeader.CHUNK_TREE_UUID, 16);
    Le.put64(raw, TreeHeader.GENERATION, ctx.transid());
    Le.put64(raw, TreeHeader.OWNER, owner);
    raw[TreeHeader.LEVEL] = (byte) level;
  }
}
