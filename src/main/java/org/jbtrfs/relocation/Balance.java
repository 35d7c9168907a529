package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.extent.BlockGroup;
import org.jbtrfs.format.BalanceItem;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;
import org.jbtrfs.txn.DeadSubvolumes;
import org.jbtrfs.txn.WriteEngine;
import org.jbtrfs.volume.RaidProfile;

/**
 * `balance start -d[FILTERS] -m[FILTERS] -s[FILTERS]`: relocates the block groups the filters pick,
 * one at a time, each in commits of its own: steps that move its extents (DataRelocation) or tree
 * blocks (MetadataRelocation), then one that removes the emptied group with its chunk. A crash at
 * any point leaves the last commit: the group either still there with all its extents, or moved.
 * With convert=PROFILE the moved extents, and every new data chunk while the balance runs, take
 * that profile.
 */
public final class Balance {
  private static final Logger LOG = Logger.getLogger(Balance.class.getName());

  /** A change run in a transaction of its own, committed before the call returns. */
  public interface Transactions {
    <T> T committed(Change<T> change) throws IOException;
  }

  public interface Change<T> {
    T apply(WriteEngine engine) throws IOException;
  }

  /** Told after each block group, and asked between steps whether to stop. */
  public interface Progress {
    void relocated(int done, int total, long bytes);

    default boolean cancelled() {
      return false;
    }

    /** An unmount: stop, keeping the balance item so that the next mount goes on. */
    default boolean paused() {
      return false;
    }
  }

  /** A balance paused by an unmount; its item stays for the next mount. */
  public static final class Paused extends IOException {
    Paused() {
      super("balance paused");
    }
  }

  /** A balance is recorded already (paused, or cut by a crash): resume or cancel it first. */
  public static final class InProgress extends IOException {
    InProgress() {
      super("a balance is paused on this filesystem: resume or cancel it first");
    }
  }

  /** A balance stopped by `balance cancel`: what moved by then stays moved. */
  public static final class Cancelled extends IOException {
    Cancelled() {
      super("balance canceled");
    }
  }

  /**
   * {@code considered}: chunks looked at (all of them, as btrfs-progs reports); {@code relocated}:
   * groups moved and removed.
   */
  public record Result(int considered, int relocated, long bytesMoved) {}

  private Balance() {}

  /** The filters of each type a balance covers; null for a type it leaves alone. */
  public record Request(
      BalanceFilters data, BalanceFilters metadata, BalanceFilters system, boolean force) {
    BalanceFilters of(long typeFlag) {
      if (typeFlag == BlockGroupItem.TYPE_DATA) return data;
      if (typeFlag == BlockGroupItem.TYPE_METADATA) return metadata;
      return system;
    }
  }

  private static final long[] TYPES = {
    BlockGroupItem.TYPE_DATA, BlockGroupItem.TYPE_METADATA, BlockGroupItem.TYPE_SYSTEM
  };

  /**
   * Relocates the groups each type's filters pick, highest address first over all types, as the
   * kernel walks the chunk tree. Throws with what was done said in the log.
   */
  public static Result run(Transactions tx, Request request, Progress progress) throws IOException {
    return run(tx, request, progress, false, true);
  }

  /**
   * The relocation under a device remove or shrink, which the kernel records no balance item for:
   * cut short, it is simply started again.
   */
  static Result unrecorded(Transactions tx, Request request, Progress progress) throws IOException {
    return run(tx, request, progress, false, false);
  }

  /** Relocation passes before a move-off gives up (a group moved onto one still to move). */
  private static final int MOVE_OFF_PASSES = 8;

  /**
   * Relocates, unrecorded, every group of any type that {@code where} picks until none is left:
   * what a device remove and a shrink do once new chunks are kept away. {@code what} names the
   * place in the error when groups stay.
   */
  static void moveOff(Transactions tx, BalanceFilters where, Progress progress, String what)
      throws IOException {
    Request all = new Request(where, where, where, true);
    for (int pass = 0; ; pass++) {
      boolean left =
          tx.committed(e -> BalanceSelection.anyPassing(e.groups().all(), e.fs().chunks(), where));
      if (!left) return;
      if (pass == MOVE_OFF_PASSES) throw new IOException("block groups " + what + " stay there");
      if (unrecorded(tx, all, progress).relocated() == 0) {
        throw new IOException("block groups " + what + " could not be moved");
      }
    }
  }

  /** The balance the balance item records (paused, or cut by a crash), or null when none is. */
  public static Request recorded(WriteEngine e) throws IOException {
    byte[] raw = e.tree(ObjectIds.ROOT_TREE).get(BalanceItem.key());
    return raw == null ? null : BalanceArgs.request(BalanceItem.parse(raw, 0, raw.length));
  }

  /** Cancels a recorded balance that is not running: its item goes; what moved stays moved. */
  public static boolean forgetRecorded(WriteEngine e) throws IOException {
    return e.tree(ObjectIds.ROOT_TREE).delete(BalanceItem.key());
  }

  /** Goes on with the balance the balance item records. */
  public static Result resume(Transactions tx, Request recorded, Progress progress)
      throws IOException {
    return run(tx, recorded, progress, true, true);
  }

  /**
   * {@code resume}: go on with the balance the balance item records (the request must be the one
   * read from it). With {@code record}, the item is written when the balance starts and deleted
   * when it ends, whether done, failed or cancelled; only a pause (an unmount) or a crash leaves
   * it, for the next mount to go on.
   */
  private static Result run(
      Transactions tx, Request request, Progress progress, boolean resume, boolean record)
      throws IOException {
    // A deleted subvolume still being dropped holds references the walk must not repoint: its
    // drop is finished first, a commit per piece, as the cleaner would have done.
    while (tx.committed(Balance::dropDeadPiece)) {
      if (progress != null && progress.cancelled()) throw new Cancelled();
    }
    int[] considered = new int[1];
    List<long[]> picked =
        tx.committed(
            e -> {
              byte[] item = e.tree(ObjectIds.ROOT_TREE).get(BalanceItem.key());
              if (item != null && !resume) throw new InProgress();
              if (item == null && resume) throw new IllegalStateException("no balance to resume");
              preflight(e, request);
              if (item == null && record) {
                e.tree(ObjectIds.ROOT_TREE)
                    .put(BalanceItem.key(), BalanceArgs.item(request).encode());
              }
              considered[0] = e.groups().all().size();
              List<long[]> out = new ArrayList<>();
              for (long type : TYPES) {
                BalanceFilters f = request.of(type);
                if (f == null) continue;
                for (BlockGroup bg :
                    BalanceSelection.select(e.groups().all(), e.fs().chunks(), type, f)) {
                  out.add(new long[] {bg.start(), type});
                }
                if (f.convert() != null) e.setConvertTarget(type, f.convert());
              }
              out.sort((a, b) -> Long.compareUnsigned(b[0], a[0]));
              return out;
            });
    int done = 0;
    long bytes = 0;
    boolean keepItem = false;
    if (progress != null) progress.relocated(0, picked.size(), 0);
    try {
      for (long[] p : picked) {
        long start = p[0];
        long type = p[1];
        RaidProfile target = request.of(type).convert();
        Step step;
        boolean any = false;
        do {
          if (progress != null && (progress.cancelled() || progress.paused())) {
            tx.committed(e -> reopen(e, start));
            if (progress.paused()) throw new Paused();
            throw new Cancelled();
          }
          step = tx.committed(e -> relocationStep(e, start, type, target));
          pauseBetweenSteps();
          if (step == null) break; // gone meanwhile (removed, or a different group now)
          any = true;
          bytes += step.bytes();
          if (step.stoppedBy() != null) throw step.stoppedBy();
        } while (step.more());
        if (!any) continue;
        if (tx.committed(e -> removeIfEmpty(e, start))) done++;
        if (progress != null) progress.relocated(done, picked.size(), bytes);
      }
    } catch (Paused paused) {
      keepItem = true;
      throw paused;
    } finally {
      boolean keep = keepItem || !record;
      tx.committed(
          e -> {
            for (long type : TYPES) e.setConvertTarget(type, null);
            if (!keep && !e.isAborted()) e.tree(ObjectIds.ROOT_TREE).delete(BalanceItem.key());
            return null;
          });
    }
    LOG.info("balance relocated " + done + " of " + picked.size() + " block groups");
    return new Result(considered[0], done, bytes);
  }

  /** What one step did: bytes moved, whether more is left, and why it stopped early if it did. */
  private record Step(long bytes, boolean more, IOException stoppedBy) {}

  /** A pause after each step, with no lock held: lets tests catch a balance in the middle. */
  private static final long STEP_PAUSE_MILLIS = Long.getLong("jbtrfs.balanceStepPauseMillis", 0);

  private static void pauseBetweenSteps() throws IOException {
    if (STEP_PAUSE_MILLIS <= 0) return;
    try {
      Thread.sleep(STEP_PAUSE_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("balance interrupted");
    }
  }

  /** Tree blocks moved per commit (their copies stay in memory until it). */
  private static final int STEP_BLOCKS = 4096;

  /**
   * Bytes of extents moved per commit: a live mount's requests wait for one step at a time. A
   * system property lets tests make steps small, to catch a balance in the middle.
   */
  private static final long STEP_BYTES = Long.getLong("jbtrfs.balanceStepBytes", 128L << 20);

  /** One step of moving the group at {@code start} out, which stays closed to allocation. */
  private static Step relocationStep(WriteEngine e, long start, long type, RaidProfile target)
      throws IOException {
    BlockGroup bg = e.groups().find(start);
    if (bg == null || bg.start() != start || (bg.flags() & type) == 0) return null;
    bg.setReadOnly(true);
    if (type != BlockGroupItem.TYPE_DATA) {
      try {
        ensureRoom(e, bg, type);
      } catch (org.jbtrfs.extent.NoSpaceException full) {
        bg.setReadOnly(false); // nothing moved; what a chunk allocation changed is whole
        return new Step(0, true, full);
      }
    }
    try {
      if (type != BlockGroupItem.TYPE_DATA) {
        MetadataRelocation.Moved m = MetadataRelocation.run(e, bg, STEP_BLOCKS);
        return new Step((long) m.blocks() * e.fs().superblock().nodeSize(), m.more(), null);
      }
      DataRelocation.Moved m = DataRelocation.run(e, bg, target, STEP_BYTES);
      if (m.stoppedBy() != null) bg.setReadOnly(false); // the balance ends here
      return new Step(m.bytes(), m.more(), m.stoppedBy());
    } catch (IOException | RuntimeException | Error failed) {
      // Half of an extent's move may be done: nothing of it may be committed.
      e.abort(failed);
      throw failed;
    }
  }

  /**
   * Makes sure the other groups of the type can take the copies before any tree block is copied: a
   * chunk allocated in the middle of a copy-on-write would change the trees under it (the kernel's
   * inc_block_group_ro allocates first for the same reason).
   */
  private static void ensureRoom(WriteEngine e, BlockGroup bg, long type) throws IOException {
    long node = e.fs().superblock().nodeSize();
    ensureRoom(e, bg, type, (bg.used() / node * 2 + 512) * node);
  }

  /** Makes {@code need} bytes free in the other groups of the type, adding chunks if needed. */
  static void ensureRoom(WriteEngine e, BlockGroup bg, long type, long need) throws IOException {
    for (int tries = 0; freeOutside(e, bg, type) < need; tries++) {
      if (tries == 3) {
        throw new org.jbtrfs.extent.NoSpaceException(
            "no room for the tree blocks of group " + bg.start() + " elsewhere");
      }
      try {
        e.forceChunkAllocation(type);
      } catch (org.jbtrfs.extent.NoSpaceException noDevice) {
        throw new org.jbtrfs.extent.NoSpaceException(
            "no room for the tree blocks of group "
                + bg.start()
                + " elsewhere: "
                + noDevice.getMessage());
      }
    }
  }

  private static long freeOutside(WriteEngine e, BlockGroup bg, long type) {
    long free = 0;
    for (BlockGroup g : e.groups().all()) {
      if (g != bg && !g.readOnly() && (g.flags() & type) != 0) free += g.free().totalFree();
    }
    return free;
  }

  /** Opens a group a cancelled balance had closed to allocation. */
  private static Void reopen(WriteEngine e, long start) {
    BlockGroup bg = e.groups().find(start);
    if (bg != null && bg.start() == start) bg.setReadOnly(false);
    return null;
  }

  /** Removes the emptied group with its chunk; false (and open again) if something is left. */
  private static boolean removeIfEmpty(WriteEngine e, long start) throws IOException {
    BlockGroup bg = e.groups().find(start);
    if (bg == null || bg.start() != start) return false;
    if (bg.used() != 0 || e.groups().hasPinned(bg)) {
      bg.setReadOnly(false);
      return false;
    }
    try {
      e.removeEmptyBlockGroup(bg);
    } catch (IOException | RuntimeException | Error failed) {
      e.abort(failed);
      throw failed;
    }
    return true;
  }

  /** Drops a piece of the first deleted subvolume still there; false when there is none. */
  private static boolean dropDeadPiece(WriteEngine e) throws IOException {
    List<Long> dead = DeadSubvolumes.pending(e);
    if (dead.isEmpty()) return false;
    DeadSubvolumes.dropSome(e, dead.get(0), DeadSubvolumes.LEAVES_PER_PIECE);
    return true;
  }

  /**
   * What balance cannot work with yet: a deleted subvolume still being dropped (its tree holds
   * references the walk must not repoint), an interrupted kernel balance (its reloc trees), and a
   * conversion the devices cannot hold.
   */
  private static void preflight(WriteEngine e, Request request) throws IOException {
    if (!DeadSubvolumes.pending(e).isEmpty()) {
      throw new UnsupportedFeatureException(
          "a deleted subvolume is still being cleaned up; wait for it (subvolume sync) before a"
              + " balance");
    }
    Tree roots = e.tree(ObjectIds.ROOT_TREE).readView();
    Cursor reloc = roots.seekCeil(new Key(ObjectIds.TREE_RELOC, ItemType.ROOT_ITEM, 0));
    if (reloc.valid() && reloc.objectId() == ObjectIds.TREE_RELOC) {
      throw new UnsupportedFeatureException(
          "an interrupted kernel balance left relocation trees; let the kernel finish or cancel"
              + " it first");
    }
    int devices = e.fs().devices().all().size();
    for (long type : TYPES) {
      BalanceFilters f = request.of(type);
      RaidProfile target = f == null ? null : f.convert();
      if (target != null && type != BlockGroupItem.TYPE_DATA && !request.force()) {
        if (anyRedundant(e, type) && !redundant(target)) {
          throw new IllegalArgumentException(
              "balance: reduces " + typeName(type) + " redundancy, use --force if you want this");
        }
      }
      if (target != null && devices < target.devsMin()) {
        throw new IllegalArgumentException(
            "unable to start balance with target "
                + typeName(type)
                + " profile "
                + target.displayName()
                + ": it needs at least "
                + target.devsMin()
                + " devices");
      }
    }
  }

  /** The kernel's notion of redundancy: two copies or more, or a device that may be lost. */
  private static boolean redundant(RaidProfile p) {
    return p.ncopies() >= 2 || p.toleratedFailures() >= 1;
  }

  private static boolean anyRedundant(WriteEngine e, long type) {
    for (BlockGroup bg : e.groups().all()) {
      if ((bg.flags() & type) != 0 && redundant(RaidProfile.fromFlags(bg.flags()))) return true;
    }
    return false;
  }

  static String typeName(long type) {
    if (type == BlockGroupItem.TYPE_DATA) return "data";
    if (type == BlockGroupItem.TYPE_METADATA) return "metadata";
    return "system";
  }
}
