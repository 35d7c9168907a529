package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.Arrays;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootRef;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;

/**
 * Renames or moves the entry that links a subvolume (rename(2) of its top directory), as the
 * kernel's btrfs_rename does for one: the entry leaves its directory and a new one, pointing at the
 * subvolume's root item key, is added in the target directory (which may be in another subvolume);
 * ROOT_REF and ROOT_BACKREF follow. The subvolume's own tree is untouched.
 */
public final class SubvolumeLinkMove {
  private final WriteEngine engine;

  public SubvolumeLinkMove(WriteEngine engine) {
    this.engine = engine;
  }

  /** A directory of a subvolume. */
  public record Dir(long subvolume, long ino) {}

  public void move(long id, Dir from, byte[] oldName, Dir to, byte[] newName) throws IOException {
    Entries.checkName(newName);
    WritableTree roots = engine.tree(ObjectIds.ROOT_TREE);
    Key backKey = new Key(id, ItemType.ROOT_BACKREF, from.subvolume());
    byte[] back = roots.get(backKey);
    if (back == null) throw new FormatException("subvolume " + id + " has no ROOT_BACKREF");
    RootRef ref = RootRef.parse(back, 0, back.length);
    if (ref.dirId() != from.ino() || !Arrays.equals(ref.name(), oldName)) {
      throw new FormatException(
          "subvolume " + id + " is linked as " + new String(ref.name()) + ", not as moved");
    }
    Cursor item = roots.readView().seekCeil(new Key(id, ItemType.ROOT_ITEM, 0));
    if (!item.valid() || item.objectId() != id || item.type() != ItemType.ROOT_ITEM) {
      throw new FormatException("subvolume " + id + " has no root item");
    }
    // The kernel links a renamed subvolume by its root item's own key.
    long locationOffset = item.offset();
    new Entries(new FileTree(engine, from.subvolume()))
        .removeSubvolumeLink(from.ino(), oldName, ref.sequence());
    long index =
        new Entries(new FileTree(engine, to.subvolume()))
            .addSubvolumeLink(to.ino(), newName, id, locationOffset);
    roots.delete(new Key(from.subvolume(), ItemType.ROOT_REF, id));
    roots.delete(backKey);
    byte[] refItem = SubvolumeCreation.rootRef(to.ino(), index, newName);
    roots.insert(new Key(to.subvolume(), ItemType.ROOT_REF, id), refItem);
    roots.insert(new Key(id, ItemType.ROOT_BACKREF, to.subvolume()), refItem);
  }
}
