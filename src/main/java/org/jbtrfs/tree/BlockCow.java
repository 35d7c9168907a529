package org.jbtrfs.tree;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * Copy-on-write of single tree blocks for one tree in one transaction. A block is writable when it
 * is in the dirty set with this transaction's generation; anything else (committed, shared with the
 * cache) is copied to a fresh address first, and the old address is handed back to the allocator.
 * Never mutates a block it did not make writable itself.
 */
final class BlockCow {
  /** A block this transaction may modify in place, at its (possibly new) address. */
  record Writable(long bytenr, byte[] raw) {}

  /** Flags of a freshly COWed block: WRITTEN/RELOC cleared, backref revision MIXED (1). */
  static final long COW_FLAGS = 1L << TreeHeader.BACKREF_REV_SHIFT;

  private final WriteContext ctx;
  private final long owner;

  BlockCow(WriteContext ctx, long owner) {
    this.ctx = ctx;
    this.owner = owner;
  }

  long transid() {
    return ctx.transid();
  }

  /** This transaction's in-memory copy of {@code bytenr}, or null if it is not writable yet. */
  byte[] writableOrNull(long bytenr) {
    byte[] d = ctx.dirty().dirty(bytenr);
    return d != null && Le.u64(d, TreeHeader.GENERATION) == ctx.transid() ? d : null;
  }

  /** Current contents of a block for reading: dirty copy first, then the verified on-disk one. */
  byte[] read(long bytenr, long generation, int level) throws IOException {
    byte[] d = ctx.dirty().dirty(bytenr);
    if (d != null) return d;
    return ctx.reader().read(bytenr, generation, level).raw();
  }

  /** Makes the block writable, COWing it to a new address unless this transaction already did. */
  Writable writable(long bytenr, long generation, int level) throws IOException {
    byte[] own = writableOrNull(bytenr);
    if (own != null) return new Writable(bytenr, own);
    byte[] copy = read(bytenr, generation, level).clone(); // cached blocks are shared: copy
    long fresh = allocate(level);
    stampHeader(copy, fresh, level);
    ctx.dirty().put(fresh, copy);
    free(bytenr, level);
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
    Arrays.fill(raw, TreeHeader.CSUM, TreeHeader.FSID, (byte) 0);
    System.arraycopy(ctx.fsid(), 0, raw, TreeHeader.FSID, 16);
    Le.put64(raw, TreeHeader.BYTENR, bytenr);
    Le.put64(raw, TreeHeader.FLAGS, COW_FLAGS);
    System.arraycopy(ctx.chunkTreeUuid(), 0, raw, TreeHeader.CHUNK_TREE_UUID, 16);
    Le.put64(raw, TreeHeader.GENERATION, ctx.transid());
    Le.put64(raw, TreeHeader.OWNER, owner);
    raw[TreeHeader.LEVEL] = (byte) level;
  }
}
