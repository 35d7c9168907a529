package org.jbtrfs.fs.write.logreplay;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.extent.ChecksumTreeEditor;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.write.ExtentRangeDropper;
import org.jbtrfs.txn.WriteEngine;

/**
 * Replays one logged file extent item (the kernel's replay_one_extent): the file range it covers is
 * cleared, the item is copied in, its data extent gets a reference (and an extent item when only
 * the log knew it: data written before the crash by the transaction that never committed), its
 * checksums move from the log to the csum tree, and the inode's nbytes follows.
 */
final class ExtentReplay {
  private final ReplayTarget t;

  ExtentReplay(ReplayTarget t) {
    this.t = t;
  }

  void replay(Key key, byte[] logged) throws IOException {
    WriteEngine engine = t.engine;
    long ino = key.objectId();
    long start = key.offset();
    int sector = engine.fs().sectorSize();
    FileExtentItem fe = FileExtentItem.parse(logged, 0, logged.length);
    long nbytes;
    long end;
    if (fe.isInline()) {
      nbytes = fe.ramBytes();
      end = Align.up(start + fe.ramBytes(), sector);
    } else if (fe.type() == FileExtentItem.TYPE_REG || fe.type() == FileExtentItem.TYPE_PREALLOC) {
      nbytes = fe.diskBytenr() == 0 ? 0 : fe.numBytes();
      end = start + fe.numBytes();
    } else {
      return; // the kernel skips extent types it does not know
    }
    t.requireInode(ino, "owner of a logged file extent");
    if (!fe.isInline() && sameAsSubvolume(key, logged)) return;
    long released = new ExtentRangeDropper(t.ft).drop(ino, start, end);
    if (fe.isInline()) {
      t.tree().put(key, logged);
    } else if (fe.diskBytenr() != 0 || !noHoles()) {
      t.tree().put(key, Arrays.copyOf(logged, FileExtentItem.SIZE));
      if (fe.diskBytenr() != 0) {
        referenceDataExtent(fe, ino, start - fe.offset());
        copyChecksums(fe);
      }
    }
    InodeItem i = t.ft.inode(ino);
    t.ft.putInode(ino, i.withSize(i.size(), i.nbytes() + nbytes - released));
  }

  /** The subvolume already has exactly this extent item at this offset: nothing to do. */
  private boolean sameAsSubvolume(Key key, byte[] logged) throws IOException {
    byte[] cur = t.tree().get(key);
    return cur != null
        && cur.length >= FileExtentItem.SIZE
        && Arrays.equals(
            cur, 0, FileExtentItem.SIZE, logged, 0, Math.min(logged.length, FileExtentItem.SIZE));
  }

  private boolean noHoles() {
    return (t.engine.fs().superblock().incompatFlags() & FeatureFlags.INCOMPAT_NO_HOLES) != 0;
  }

  /**
   * A reference from (subvolume, inode, offset) to the data extent. The extent is either recorded
   * already (committed, or claimed earlier in this replay) or free space the crashed transaction
   * had allocated; anything else means the log and the extent tree disagree, and nothing is
   * guessed.
   */
  private void referenceDataExtent(FileExtentItem fe, long ino, long refOffset) throws IOException {
    WriteEngine engine = t.engine;
    long bytenr = fe.diskBytenr();
    long len = fe.diskNumBytes();
    long root = t.log.subvolumeId();
    if (engine.refs().isPendingNew(bytenr)) {
      engine.refs().addDataRef(bytenr, len, root, ino, refOffset, true);
      return;
    }
    Key extentKey = new Key(bytenr, ItemType.EXTENT_ITEM, len);
    if (engine.tree(ObjectIds.EXTENT_TREE).get(extentKey) != null) {
      engine.refs().addDataRef(bytenr, len, root, ino, refOffset, false);
      return;
    }
    if (!engine.groups().isFree(bytenr, len)) {
      throw new UnsupportedFeatureException(
          "the log references data extent "
              + bytenr
              + "+"
              + len
              + ", which the extent tree neither records nor has free");
    }
    engine.groups().claim(bytenr, len);
    engine.refs().addDataRef(bytenr, len, root, ino, refOffset, true);
  }

  /**
   * Moves the logged checksums of the extent's referenced bytes (all of it when compressed) into
   * the csum tree, replacing any there: two items must never cover the same sector.
   */
  private void copyChecksums(FileExtentItem fe) throws IOException {
    long s;
    long e;
    if (fe.compression() != 0) {
      s = fe.diskBytenr();
      e = s + fe.diskNumBytes();
    } else {
      s = fe.diskBytenr() + fe.offset();
      e = s + fe.numBytes();
    }
    WriteEngine engine = t.engine;
    ChecksumTreeEditor csums = engine.checksums();
    int csumSize = engine.fs().superblock().checksumType().size();
    for (LogTree.CsumRun run : t.log.csums(s, e, engine.fs().sectorSize(), csumSize)) {
      long len = (long) (run.sums().length / csumSize) * engine.fs().sectorSize();
      csums.delete(run.start(), len);
      csums.insert(run.start(), run.sums());
    }
  }
}
