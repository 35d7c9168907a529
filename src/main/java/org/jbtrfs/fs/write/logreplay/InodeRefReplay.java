package org.jbtrfs.fs.write.logreplay;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.fs.write.FsOps;

/**
 * Replays one logged INODE_REF or INODE_EXTREF item (the kernel's add_inode_ref): every name in it
 * gets its directory entries at the logged index, names of the inode that conflict are unlinked
 * first, names the subvolume item has but the log item lacks are unlinked, and finally the logged
 * item replaces the subvolume's.
 */
final class InodeRefReplay {
  private final ReplayTarget t;

  InodeRefReplay(ReplayTarget t) {
    this.t = t;
  }

  void replay(Key key, byte[] logged) throws IOException {
    boolean ext = key.type() == ItemType.INODE_EXTREF;
    long ino = key.objectId();
    List<InodeRef> names =
        ext
            ? InodeRef.parseExtrefs(logged, 0, logged.length)
            : InodeRef.parseRefs(key.offset(), logged, 0, logged.length);
    // A parent that is not in the subvolume was not logged: the link count fixup copes.
    if (!ext && !t.inodeExists(key.offset())) return;
    InodeItem inode = t.requireInode(ino, "owner of a logged back reference");
    int type = FsOps.fileTypeOf(inode.mode());
    boolean searched = false;
    for (InodeRef r : names) {
      long dir = r.parent();
      if (!t.inodeExists(dir)) return;
      if (inDir(dir, ino, r.index(), r.name())) continue;
      if (!searched) {
        Conflicts c = dropConflicts(key, ino, dir, r);
        if (c == Conflicts.ROOT_DIR) return;
        searched = c == Conflicts.SEARCHED;
      }
      if (t.hasRef(ext, ino, dir, r.name())) t.unlink(dir, r.name());
      if (t.dirItem(dir, r.name()) != null) t.unlink(dir, r.name()); // another inode's name
      t.entries.addAt(dir, r.name(), ino, type, r.index(), false, false);
      t.fixup.add(ino);
    }
    unlinkNamesNotInLog(key, ext, names);
    byte[] existing = t.tree().get(key);
    if (existing == null || !Arrays.equals(existing, logged)) t.tree().put(key, logged);
  }

  /** Whether {@code dir} already has this name at this index, pointing at {@code ino}. */
  private boolean inDir(long dir, long ino, long index, byte[] name) throws IOException {
    DirItem byIndex = t.dirIndex(dir, index);
    if (byIndex == null
        || !Arrays.equals(byIndex.name(), name)
        || byIndex.location().objectId() != ino) return false;
    DirItem byName = t.dirItem(dir, name);
    return byName != null && byName.location().objectId() == ino;
  }

  private enum Conflicts {
    NONE,
    SEARCHED,
    ROOT_DIR
  }

  /**
   * The kernel's conflict search, done once per item: names of this inode in {@code dir} missing
   * from the log go, then whatever entry holds this name or this index+name in {@code dir}.
   */
  private Conflicts dropConflicts(Key key, long ino, long dir, InodeRef r) throws IOException {
    boolean searched = false;
    Key refKey = new Key(ino, ItemType.INODE_REF, dir);
    byte[] refs = t.tree().get(refKey);
    if (refs != null) {
      if (ino == dir) return Conflicts.ROOT_DIR;
      for (InodeRef old : InodeRef.parseRefs(dir, refs, 0, refs.length))
        if (!t.log.refHasName(ino, dir, old.name())) t.unlink(dir, old.name());
      searched = true;
    }
    Key extKey = new Key(ino, ItemType.INODE_EXTREF, NameHash.extrefHash(dir, r.name()));
    byte[] exts = t.tree().get(extKey);
    if (exts != null) {
      for (InodeRef old : InodeRef.parseExtrefs(exts, 0, exts.length)) {
        if (old.parent() != dir || t.log.extrefHasName(ino, dir, old.name())) continue;
        if (t.inodeExists(dir)) t.unlink(dir, old.name());
      }
      searched = true;
    }
    DirItem byIndex = t.dirIndex(dir, r.index());
    if (byIndex != null
        && Arrays.equals(byIndex.name(), r.name())
        && t.dirItem(dir, r.name()) != null) {
      t.unlink(dir, r.name());
    }
    if (t.dirItem(dir, r.name()) != null) t.unlink(dir, r.name());
    return searched ? Conflicts.SEARCHED : Conflicts.NONE;
  }

  /** Names the subvolume's item (same key) has and the logged item lacks are unlinked. */
  private void unlinkNamesNotInLog(Key key, boolean ext, List<InodeRef> logged) throws IOException {
    byte[] raw = t.tree().get(key);
    if (raw == null) return;
    List<InodeRef> current =
        ext
            ? InodeRef.parseExtrefs(raw, 0, raw.length)
            : InodeRef.parseRefs(key.offset(), raw, 0, raw.length);
    for (InodeRef c : current) {
      boolean kept = false;
      for (InodeRef l : logged)
        if (l.parent() == c.parent() && Arrays.equals(l.name(), c.name())) kept = true;
      if (kept) continue;
      t.requireInode(c.parent(), "directory of a name the log removes");
      t.unlink(c.parent(), c.name());
    }
  }
}
