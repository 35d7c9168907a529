package org.jbtrfs.tree;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.tree.check.CheckContext;
import org.jbtrfs.tree.check.ItemChecker;
import org.jbtrfs.tree.check.ParentRules;
import org.jbtrfs.volume.LogicalReader;

/**
 * Reads tree blocks: every copy is checksum-verified, structure-checked and (given a {@link
 * CheckContext}) item-checked by the kernel's rules; a bad copy falls back to the next mirror (or
 * parity rebuild), and when none is good the read fails naming the address and the rule.
 */
public final class MetadataReader {
  private static final Logger LOG = Logger.getLogger(MetadataReader.class.getName());

  private final LogicalReader logical;
  private final BlockCache cache;
  private final ChecksumType csum;
  private final int nodeSize;
  private final byte[] metadataUuid;
  private final CheckContext items;
  private volatile BlockOverlay overlay;

  /** A reader that checks structure only (for tests whose items are arbitrary bytes). */
  public MetadataReader(
      LogicalReader logical,
      BlockCache cache,
      ChecksumType csum,
      int nodeSize,
      byte[] metadataUuid) {
    this(logical, cache, csum, nodeSize, metadataUuid, null);
  }

  /**
   * A reader that also checks every item by the rules, with the filesystem's facts in {@code
   * items}.
   */
  public MetadataReader(
      LogicalReader logical,
      BlockCache cache,
      ChecksumType csum,
      int nodeSize,
      byte[] metadataUuid,
      CheckContext items) {
    this.logical = logical;
    this.cache = cache;
    this.csum = csum;
    this.nodeSize = nodeSize;
    this.metadataUuid = metadataUuid.clone();
    this.items = items;
  }

  /** The item checker's facts, or null when this reader checks structure only. */
  public CheckContext itemChecks() {
    return items;
  }

  /**
   * The kernel's write-time tree checker: the block about to be written must pass every check a
   * read of it would make, so that a bug here never puts a block on disk that no reader accepts.
   */
  public void checkBeforeWrite(long bytenr, byte[] raw) throws FormatException {
    TreeBlock block = new TreeBlock(bytenr, raw);
    TreeChecker.check(block, bytenr, metadataUuid, -1);
    if (items != null) ItemChecker.check(block, items);
  }

  public int nodeSize() {
    return nodeSize;
  }

  /** Makes a transaction's dirty blocks visible to every read (null detaches it). */
  public void setOverlay(BlockOverlay overlay) {
    this.overlay = overlay;
  }

  /**
   * Caches a block this process just wrote and committed: it is valid by construction, and the next
   * transaction copies rather than edits it, so reading it back would only spend a device read, a
   * checksum and a structure check on what is already in memory.
   */
  public void cacheWritten(long bytenr, byte[] raw) {
    cache.put(new TreeBlock(bytenr, raw));
  }

  /** Drops a cached copy, e.g. when the address is reused for a new block. */
  public void invalidate(long bytenr) {
    cache.invalidate(bytenr);
  }

  /**
   * Returns the block at {@code bytenr}. {@code expectedGen} (0 = unknown) and {@code
   * expectedLevel} (-1 = unknown) come from the parent pointer and catch stale or misdirected
   * writes.
   */
  public TreeBlock read(long bytenr, long expectedGen, int expectedLevel) throws IOException {
    return read(bytenr, expectedGen, expectedLevel, 0, null, 0);
  }

  /**
   * Like {@link #read(long, long, int)} for a block reached from a parent: {@code treeId} (0 =
   * unknown) is the tree it is read for, which must own it, and {@code parentRaw} (null = a root)
   * holds at {@code keyOff} the pointer's key, which must be the block's first key.
   */
  public TreeBlock read(
      long bytenr, long expectedGen, int expectedLevel, long treeId, byte[] parentRaw, int keyOff)
      throws IOException {
    BlockOverlay o = overlay;
    if (o != null) {
      byte[] raw = o.dirty(bytenr);
      if (raw != null) return new TreeBlock(bytenr, raw);
    }
    TreeBlock cached = cache.get(bytenr);
    if (cached != null
        && matches(cached, expectedGen, expectedLevel)
        && agreesWithParent(cached, treeId, parentRaw, keyOff)) return cached;
    List<String> failures = new ArrayList<>();
    // What each copy that read but failed a check held, for read repair (null: unreadable).
    byte[][] badCopies = null;
    int mirrors = logical.mirrors(bytenr);
    for (int m = 0; m < mirrors; m++) {
      byte[] raw = new byte[nodeSize];
      boolean readable = false;
      try {
        logical.read(bytenr, raw, 0, nodeSize, m);
        readable = true;
        TreeBlock block = checkCopy(raw, bytenr, expectedGen, expectedLevel);
        if (items != null) {
          ParentRules.checkOwner(block, treeId, items);
          ParentRules.checkFirstKey(block, parentRaw, keyOff, items);
        }
        if (m > 0) {
          boolean parity = logical.chunks().lookup(bytenr).profile().hasParity();
          LOG.warning(
              "tree block at logical "
                  + bytenr
                  + ": "
                  + (parity ? "rebuilt from parity " + (m == 1 ? "P" : "Q") : "copy " + m + " good")
                  + " after "
                  + failures);
          repairCopies(bytenr, raw, badCopies);
        }
        cache.put(block);
        return block;
      } catch (IOException e) {
        // Where the bad copy came from: the device and offset to look at.
        failures.add(
            "copy " + m + " (" + logical.describe(bytenr, nodeSize, m) + "): " + e.getMessage());
        if (readable) {
          if (badCopies == null) badCopies = new byte[mirrors][];
          badCopies[m] = raw;
        }
      }
    }
    // RAID6 with two bad strips in one place: the block rebuilt with each other data column
    // counted as lost too; the one rebuild that passes every check is the block.
    int pairs = logical.twoStripRebuilds(bytenr);
    for (int k = 0; k < pairs; k++) {
      byte[] raw = new byte[nodeSize];
      try {
        logical.readTwoStripRebuild(bytenr, raw, 0, nodeSize, k);
        TreeBlock block = checkCopy(raw, bytenr, expectedGen, expectedLevel);
        if (items != null) {
          ParentRules.checkOwner(block, treeId, items);
          ParentRules.checkFirstKey(block, parentRaw, keyOff, items);
        }
        LOG.warning(
            "tree block at logical "
                + bytenr
                + ": rebuilt from P and Q with a second bad strip in its row after "
                + failures);
        repairCopies(bytenr, raw, badCopies);
        cache.put(block);
        return block;
      } catch (IOException | IllegalArgumentException e) {
        // not this pair: the next one, or the failure below
      }
    }
    String msg = "tree block at logical " + bytenr + " unreadable: " + failures;
    LOG.severe(msg);
    throw new FormatException(msg);
  }

  /**
   * Read repair: the copies that read but failed a check get the {@code good} block written over
   * them (see LogicalReader#repair; a no-op unless the mount is read-write). A failure to repair is
   * logged and leaves the read as it is: the good block was found.
   */
  private void repairCopies(long bytenr, byte[] good, byte[][] badCopies) {
    if (badCopies == null) return;
    if (!logical.repairing()) {
      // Read at mount, before a writer exists (the roots, then cached): the repair waits for it.
      synchronized (deferred) {
        if (deferred.size() < MAX_DEFERRED) deferred.add(new Deferred(bytenr, good, badCopies));
      }
      return;
    }
    for (int m = 0; m < badCopies.length; m++) {
      if (badCopies[m] == null) continue;
      try {
        String where = logical.repair(bytenr, good, 0, badCopies[m], 0, nodeSize, m);
        if (where != null) {
          LOG.warning("tree block at logical " + bytenr + ": read repair rewrote " + where);
        }
      } catch (IOException | RuntimeException e) {
        LOG.warning(
            "tree block at logical " + bytenr + ": read repair of copy " + m + " failed: " + e);
      }
    }
  }

  /** A read repair found before anything could write: the good block and the bad copies. */
  private record Deferred(long bytenr, byte[] good, byte[][] bad) {}

  /** At most this many wait (each holds a few blocks; a mount reads only its roots first). */
  private static final int MAX_DEFERRED = 256;

  private final List<Deferred> deferred = new ArrayList<>();

  /**
   * The read repairs found while nothing could write (the blocks a mount reads before its writer
   * opens), made now that it can; each still only where the copy holds the bad bytes it did.
   */
  public void repairDeferred() {
    List<Deferred> todo;
    synchronized (deferred) {
      todo = new ArrayList<>(deferred);
      deferred.clear();
    }
    for (Deferred d : todo) repairCopies(d.bytenr(), d.good(), d.bad());
  }

  /** Checks one copy's bytes as read: checksum, header, items, the parent's generation. */
  private TreeBlock checkCopy(byte[] raw, long bytenr, long expectedGen, int expectedLevel)
      throws IOException {
    if (!csum.verify(raw, Superblock.CSUM_SIZE, nodeSize - Superblock.CSUM_SIZE, raw, 0)) {
      throw new FormatException("checksum mismatch");
    }
    TreeBlock block = new TreeBlock(bytenr, raw);
    TreeChecker.check(block, bytenr, metadataUuid, expectedLevel);
    if (items != null) ItemChecker.check(block, items);
    if (expectedGen != 0 && block.generation() != expectedGen) {
      throw new FormatException(
          "generation " + block.generation() + ", parent expects " + expectedGen);
    }
    return block;
  }

  /** A cached block reached through another parent is checked against this one too. */
  private boolean agreesWithParent(TreeBlock b, long treeId, byte[] parentRaw, int keyOff) {
    if (items == null) return true;
    try {
      ParentRules.checkOwner(b, treeId, items);
      ParentRules.checkFirstKey(b, parentRaw, keyOff, items);
      return true;
    } catch (FormatException e) {
      return false; // read it again: the copies on disk decide, and the failure names the rule
    }
  }

  private static boolean matches(TreeBlock b, long expectedGen, int expectedLevel) {
    return (expectedGen == 0 || b.generation() == expectedGen)
        && (expectedLevel < 0 || b.level() == expectedLevel);
  }
}
