package org.jbtrfs.extent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.volume.ChunkMap;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.SuperblockExclusion;

/**
 * Every block group with its free space, and the extent allocator over them. Extents freed from the
 * committed state stay pinned (unusable) until the transaction that freed them commits, so a crash
 * before that commit still finds every block the old trees reference intact.
 */
public final class BlockGroups {
  private final TreeMap<Long, BlockGroup> byStart = new TreeMap<>();
  private final List<long[]> pinned = new ArrayList<>();

  /** Free on disk but never allocatable: the ranges holding superblock copies. */
  private final List<long[]> excluded = new ArrayList<>();

  private SpaceListener listener;

  private static final long TYPE_MASK =
      BlockGroupItem.TYPE_DATA | BlockGroupItem.TYPE_METADATA | BlockGroupItem.TYPE_SYSTEM;

  /**
   * Per group type (its type bits), the free bytes of all its groups and the OR of their profile
   * bits: asked on every allocation and chunk allocation, so kept current instead of summed over
   * what may be thousands of groups.
   */
  private final Map<Long, long[]> freeByType = new java.util.HashMap<>();

  private final Map<Long, Long> profileBitsByType = new java.util.HashMap<>();

  private long dataHint;
  private long metaHint;

  /** Loads block group items (from {@code bgTree}) and free space (from {@code freeSpaceTree}). */
  public static BlockGroups load(ChunkMap chunks, Tree bgTree, Tree freeSpaceTree, int sectorSize)
      throws IOException {
    BlockGroups g = new BlockGroups();
    for (ChunkMapping c : chunks.all()) {
      Cursor cur = bgTree.find(new Key(c.logical(), ItemType.BLOCK_GROUP_ITEM, c.length()));
      if (cur == null)
        throw new FormatException("chunk " + c.logical() + " has no block group item");
      BlockGroupItem item = BlockGroupItem.parse(cur.raw(), cur.dataOffset(), cur.dataSize());
      BlockGroup bg = new BlockGroup(c.logical(), c.length(), item.flags(), item.used());
      setRows(bg, c);
      FreeSpaceTree.load(freeSpaceTree, bg, sectorSize);
      g.exclude(bg, SuperblockExclusion.excludedRanges(c), sectorSize);
      long accounted = bg.used() + bg.free().totalFree() + g.excludedBytes(bg);
      if (accounted != bg.length()) {
        throw new FormatException(
            "block group "
                + bg.start()
                + ": used "
                + bg.used()
                + " + free "
                + bg.free().totalFree()
                + " != length "
                + bg.length()
                + " (free space tree out of date?)");
      }
      bg.noteIfUnused();
      g.byStart.put(bg.start(), bg);
      g.track(bg);
    }
    return g;
  }

  /** A RAID5/6 group learns its row size: new data goes only into clean rows (CleanRows). */
  private static void setRows(BlockGroup bg, ChunkMapping c) {
    if (!c.profile().hasParity()) return;
    int dataStripes = c.numStripes() - c.profile().nparity();
    bg.setRowBytes(dataStripes * c.stripeLen());
  }

  /** Reports the groups there are now, then every later change, to {@code l}. */
  public void setListener(SpaceListener l) {
    for (BlockGroup bg : byStart.values())
      l.groupAdded(bg.flags(), bg.length(), bg.used(), excludedBytes(bg));
    listener = l;
  }

  public Collection<BlockGroup> all() {
    return byStart.values();
  }

  public BlockGroup find(long logical) {
    Map.Entry<Long, BlockGroup> e = byStart.floorEntry(logical);
    return e != null && e.getValue().contains(logical) ? e.getValue() : null;
  }

  /** Adds a new block group; {@code mapping} tells where its superblock copies are. */
  public void add(BlockGroup bg, ChunkMapping mapping, int sectorSize) {
    setRows(bg, mapping);
    exclude(bg, SuperblockExclusion.excludedRanges(mapping), sectorSize);
    byStart.put(bg.start(), bg);
    track(bg);
    bg.touch();
    if (listener != null)
      listener.groupAdded(bg.flags(), bg.length(), bg.used(), excludedBytes(bg));
  }

  /** Takes the ranges out of the allocatable free space, whole sectors at a time. */
  void exclude(BlockGroup bg, List<long[]> ranges, int sectorSize) {
    for (long[] r : ranges) {
      long start = Align.down(r[0], sectorSize);
      long end = Align.up(r[0] + r[1], sectorSize);
      for (long s = start; s < end; s += sectorSize) {
        if (bg.contains(s) && bg.free().isFree(s, sectorSize)) {
          bg.free().remove(s, sectorSize);
          excluded.add(new long[] {s, sectorSize});
        }
      }
    }
  }

  long excludedBytes(BlockGroup bg) {
    long n = 0;
    for (long[] e : excluded) if (bg.contains(e[0])) n += e[1];
    return n;
  }

  /**
   * Allocates {@code len} bytes in a block group of type {@code typeFlag} (data, metadata or
   * system), aligned to {@code align}. Throws NoSpaceException when no group has room; the caller
   * may then allocate a chunk and retry.
   */
  public long allocate(long typeFlag, long len, long align) throws NoSpaceException {
    return allocate(typeFlag, len, align, true);
  }

  /**
   * As {@link #allocate(long, long, long)}, but RAID5/6 groups may also give the free tails of rows
   * that hold committed data (written by read-modify-write, as the kernel writes them): for a
   * filesystem so full that no clean row and no new chunk is left, where refusing would abort the
   * transaction instead.
   */
  public long allocateInAnyRow(long typeFlag, long len, long align) throws NoSpaceException {
    return allocate(typeFlag, len, align, false);
  }

  /**
   * As {@link #allocate(long, long, long)}, in a group that {@code accepts} only: relocation moves
   * extents into groups of its target profile.
   */
  public long allocateIn(
      long typeFlag, long len, long align, java.util.function.Predicate<BlockGroup> accepts)
      throws NoSpaceException {
    return allocate(typeFlag, len, align, true, accepts);
  }

  private long allocate(long typeFlag, long len, long align, boolean cleanRowsOnly)
      throws NoSpaceException {
    return allocate(typeFlag, len, align, cleanRowsOnly, bg -> true);
  }

  private long allocate(
      long typeFlag,
      long len,
      long align,
      boolean cleanRowsOnly,
      java.util.function.Predicate<BlockGroup> accepts)
      throws NoSpaceException {
    boolean data = typeFlag == BlockGroupItem.TYPE_DATA;
    long hint = data ? dataHint : metaHint;
    for (int pass = 0; pass < 2; pass++) {
      for (BlockGroup bg :
          byStart.tailMap(pass == 0 ? floorStart(hint) : Long.MIN_VALUE, true).values()) {
        if ((bg.flags() & typeFlag) == 0 || bg.readOnly() || !accepts.test(bg)) continue;
        // A full group cannot fit it: skip without searching its free ranges (a 1 TiB fallocate
        // meets a thousand full data groups on every allocation that needs a new chunk).
        if (bg.free().totalFree() < len) continue;
        long from = pass == 0 ? Math.max(hint, bg.start()) : bg.start();
        boolean parity = bg.rowBytes() > 0 && cleanRowsOnly;
        long at =
            parity
                ? CleanRows.findFit(bg, len, align, from)
                : bg.free().findFirstFit(len, align, from);
        if (at < 0) continue;
        if (parity) CleanRows.open(bg, at, len);
        bg.free().remove(at, len);
        bg.addUsed(len);
        if (listener != null) listener.allocated(bg.flags(), len);
        if (data) dataHint = at + len;
        else metaHint = at + len;
        return at;
      }
    }
    throw new NoSpaceException("no free " + typeName(typeFlag) + " space for " + len + " bytes");
  }

  private long floorStart(long hint) {
    Long k = byStart.floorKey(hint);
    return k == null ? Long.MIN_VALUE : k;
  }

  /** The largest free extent in groups of this type (for splitting big data allocations). */
  public long largestFree(long typeFlag) {
    long max = 0;
    for (BlockGroup bg : byStart.values())
      if ((bg.flags() & typeFlag) != 0 && !bg.readOnly()) max = Math.max(max, bg.free().largest());
    return max;
  }

  /**
   * Takes an empty group out of allocation and accounting: its chunk is being removed. Nothing of
   * it may be pinned, since the committed state must not reference it either.
   */
  public void remove(BlockGroup bg) {
    if (byStart.get(bg.start()) != bg) throw new IllegalStateException("unknown block group");
    if (bg.used() != 0 || hasPinned(bg)) {
      throw new IllegalStateException("block group " + bg.start() + " is not empty");
    }
    long unusable = excludedBytes(bg);
    excluded.removeIf(e -> bg.contains(e[0]));
    byStart.remove(bg.start());
    long type = bg.flags() & TYPE_MASK;
    freeByType.get(type)[0] -= bg.free().totalFree();
    bg.free().observe(delta -> {});
    long bits = 0;
    boolean any = false;
    for (BlockGroup g : byStart.values()) {
      if ((g.flags() & TYPE_MASK) != type) continue;
      bits |= g.flags() & org.jbtrfs.volume.RaidProfile.PROFILE_MASK;
      any = true;
    }
    if (any) profileBitsByType.put(type, bits);
    else profileBitsByType.remove(type);
    if (listener != null) listener.groupRemoved(bg.flags(), bg.length(), unusable);
  }

  /** Whether some extent of {@code bg} was freed in the running transaction (pinned). */
  public boolean hasPinned(BlockGroup bg) {
    for (long[] p : pinned) if (bg.contains(p[0])) return true;
    return false;
  }

  private void track(BlockGroup bg) {
    long type = bg.flags() & TYPE_MASK;
    long[] free = freeByType.computeIfAbsent(type, t -> new long[1]);
    bg.free().observe(delta -> free[0] += delta);
    profileBitsByType.merge(
        type, bg.flags() & org.jbtrfs.volume.RaidProfile.PROFILE_MASK, (a, b) -> a | b);
  }

  public long totalFree(long typeFlag) {
    long sum = 0;
    for (Map.Entry<Long, long[]> e : freeByType.entrySet())
      if ((e.getKey() & typeFlag) != 0) sum += e.getValue()[0];
    return sum;
  }

  /**
   * The OR of the profile bits of every group whose type bits are exactly {@code typeBits}, or -1
   * when there is no such group.
   */
  public long profileBits(long typeBits) {
    Long bits = profileBitsByType.get(typeBits);
    return bits == null ? -1 : bits;
  }

  /** Told before space is made allocatable again within the transaction that allocated it. */
  public interface ReuseGuard {
    void beforeReuse(long start, long len);
  }

  private ReuseGuard reuseGuard = (start, len) -> {};

  public void setReuseGuard(ReuseGuard guard) {
    this.reuseGuard = guard;
  }

  /** Returns an extent allocated in this transaction and never committed: reusable at once. */
  public void freeUncommitted(long start, long len) {
    BlockGroup bg = require(start);
    reuseGuard.beforeReuse(start, len);
    bg.free().add(start, len);
    bg.addUsed(-len);
    if (listener != null) listener.freedUncommitted(bg.flags(), len);
  }

  /** Frees an extent the committed state references: pinned until the next commit. */
  public void pin(long start, long len) {
    BlockGroup bg = require(start);
    bg.addUsed(-len);
    bg.noteIfUnused();
    pinned.add(new long[] {start, len});
    if (listener != null) listener.pinned(bg.flags(), len);
  }

  /**
   * Keeps free space from being allocated until the next commit is on disk, without accounting it
   * as used: the blocks of an fsync log, which the on-disk state records as free but which must
   * survive until the commit that replays the log (the kernel pins them the same way).
   */
  public void holdUntilCommit(long start, long len) {
    BlockGroup bg = require(start);
    if (!bg.free().isFree(start, len))
      throw new IllegalStateException("range " + start + "+" + len + " is not free");
    bg.free().remove(start, len);
    pinned.add(new long[] {start, len});
  }

  /** Whether [start, start+len) is free for allocation right now. */
  public boolean isFree(long start, long len) {
    BlockGroup bg = find(start);
    return bg != null && bg.free().isFree(start, len);
  }

  /**
   * Allocates exactly [start, start+len): a data extent written before a crash and known only to
   * the fsync log, now given its extent item.
   */
  public void claim(long start, long len) {
    BlockGroup bg = require(start);
    bg.free().remove(start, len);
    bg.addUsed(len);
  }

  /** After a commit is on disk, pinned extents become allocatable. */
  public void unpinAll() {
    for (long[] p : pinned) require(p[0]).free().add(p[0], p[1]);
    pinned.clear();
    for (BlockGroup bg : byStart.values()) if (bg.rowBytes() > 0) CleanRows.closeAll(bg);
  }

  /** The free ranges the next commit records for {@code bg}: allocatable plus pinned. */
  public Map<Long, Long> committedFree(BlockGroup bg) {
    FreeSpaceMap m = new FreeSpaceMap();
    for (Map.Entry<Long, Long> e : bg.free().ranges().entrySet()) m.add(e.getKey(), e.getValue());
    for (long[] p : pinned) if (bg.contains(p[0])) m.add(p[0], p[1]);
    for (long[] e : excluded) if (bg.contains(e[0])) m.add(e[0], e[1]);
    return m.ranges();
  }

  public long totalUsed() {
    long sum = 0;
    for (BlockGroup bg : byStart.values()) sum += bg.used();
    return sum;
  }

  private BlockGroup require(long logical) {
    BlockGroup bg = find(logical);
    if (bg == null) throw new IllegalStateException("address " + logical + " is in no block group");
    return bg;
  }

  private static String typeName(long typeFlag) {
    if (typeFlag == BlockGroupItem.TYPE_DATA) return "data";
    if (typeFlag == BlockGroupItem.TYPE_SYSTEM) return "system";
    return "metadata";
  }

  public List<BlockGroup> dirty() {
    List<BlockGroup> out = new ArrayList<>();
    for (BlockGroup bg : byStart.values()) if (bg.dirty()) out.add(bg);
    return out;
  }

  public void clearDirty() {
    for (BlockGroup bg : byStart.values()) bg.markWritten();
  }
}
