package org.jbtrfs.relocation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.jbtrfs.extent.BlockGroup;
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
 * `balance start -d[FILTERS]`: relocates the data block groups the filters pick, one at a time,
 * each in two commits of its own: the first moves its extents (DataRelocation), the second removes
 * the emptied group with its chunk. A crash at any point leaves the last commit: the group either
 * still there with all its extents, or moved. With convert=PROFILE the moved extents, and every new
 * data chunk while the balance runs, take that profile.
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

  /** Told after each block group. */
  public interface Progress {
    void relocated(int done, int total, long bytes);
  }

  /**
   * {@code considered}: chunks looked at (all of them, as btrfs-progs reports); {@code relocated}:
   * groups moved and removed.
   */
  public record Result(int considered, int relocated, long bytesMoved) {}

  private Balance() {}

  /** Balances data block groups by {@code data}. Throws with what was done said in the log. */
  public static Result data(Transactions tx, BalanceFilters data, Progress progress)
      throws IOException {
    int[] considered = new int[1];
    List<Long> starts =
        tx.committed(
            e -> {
              preflight(e, data);
              considered[0] = e.groups().all().size();
              List<Long> out = new ArrayList<>();
              for (BlockGroup bg :
                  BalanceSelection.select(
                      e.groups().all(), e.fs().chunks(), BlockGroupItem.TYPE_DATA, data)) {
                out.add(bg.start());
              }
              if (data.convert() != null)
                e.setConvertTarget(BlockGroupItem.TYPE_DATA, data.convert());
              return out;
            });
    int done = 0;
    long bytes = 0;
    try {
      for (long start : starts) {
        DataRelocation.Moved moved;
        boolean any = false;
        do {
          moved = tx.committed(e -> relocationStep(e, start, data.convert()));
          if (moved == null) break; // gone meanwhile (removed, or a different group now)
          any = true;
          bytes += moved.bytes();
          if (moved.stoppedBy() != null) throw moved.stoppedBy();
        } while (moved.more());
        if (!any) continue;
        if (tx.committed(e -> removeIfEmpty(e, start))) done++;
        if (progress != null) progress.relocated(done, starts.size(), bytes);
      }
    } finally {
      if (data.convert() != null) {
        tx.committed(
            e -> {
              e.setConvertTarget(BlockGroupItem.TYPE_DATA, null);
              return null;
            });
      }
    }
    LOG.info("balance relocated " + done + " of " + starts.size() + " data block groups");
    return new Result(considered[0], done, bytes);
  }

  /** Bytes of extents moved per commit: a live mount's requests wait for one step at a time. */
  private static final long STEP_BYTES = 128L << 20;

  /** One step of moving the group at {@code start} out, which stays closed to allocation. */
  private static DataRelocation.Moved relocationStep(WriteEngine e, long start, RaidProfile target)
      throws IOException {
    BlockGroup bg = e.groups().find(start);
    if (bg == null || bg.start() != start || !bg.isData()) return null;
    bg.setReadOnly(true);
    try {
      DataRelocation.Moved m = DataRelocation.run(e, bg, target, STEP_BYTES);
      if (m.stoppedBy() != null) bg.setReadOnly(false); // the balance ends here
      return m;
    } catch (IOException | RuntimeException | Error failed) {
      // Half of an extent's move may be done: nothing of it may be committed.
      e.abort(failed);
      throw failed;
    }
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

  /**
   * What balance cannot work with yet: a deleted subvolume still being dropped (its tree holds
   * references the walk must not repoint), an interrupted kernel balance (its reloc trees), and a
   * conversion the devices cannot hold.
   */
  private static void preflight(WriteEngine e, BalanceFilters data) throws IOException {
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
    Cursor item = roots.find(new Key(ObjectIds.BALANCE, ItemType.TEMPORARY_ITEM, 0));
    if (item != null) {
      throw new UnsupportedFeatureException(
          "a kernel balance is paused on this filesystem; resume or cancel it with the kernel");
    }
    RaidProfile target = data.convert();
    if (target != null && e.fs().devices().all().size() < target.devsMin()) {
      throw new IllegalArgumentException(
          "unable to start balance with target data profile "
              + target.displayName()
              + ": it needs at least "
              + target.devsMin()
              + " devices");
    }
  }
}
