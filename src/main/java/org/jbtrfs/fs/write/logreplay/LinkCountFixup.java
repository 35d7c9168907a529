package org.jbtrfs.fs.write.logreplay;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.Cursor;

/**
 * The last step of a subvolume's replay (the kernel's fixup_inode_link_counts): every inode the
 * replay touched gets nlink = the number of names its back references hold. An inode left with no
 * name gets an orphan item, so the orphan cleanup at mount deletes it; a directory left with no
 * name first loses all its entries (whose inodes are then recounted too).
 */
final class LinkCountFixup {
  private final ReplayTarget t;

  LinkCountFixup(ReplayTarget t) {
    this.t = t;
  }

  void run() throws IOException {
    // Highest inode first, like the kernel; emptying a directory queues more inodes.
    while (!t.fixup.isEmpty()) {
      long ino = t.fixup.pollLast();
      InodeItem i = t.requireInode(ino, "inode whose link count the replay changed");
      long nlink = t.entries.refs(ino).size();
      if (nlink != i.nlink()) t.ft.putInode(ino, i.withNlink(nlink));
      if (nlink != 0) continue;
      if (FileType.isDir(i.mode())) unlinkAll(ino);
      t.tree().put(new Key(ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, ino), new byte[0]);
    }
  }

  private void unlinkAll(long dir) throws IOException {
    List<byte[]> names = new ArrayList<>();
    Cursor c = t.tree().readView().seekCeil(new Key(dir, ItemType.DIR_INDEX, 0));
    for (; c.valid() && c.objectId() == dir && c.type() == ItemType.DIR_INDEX; c.next())
      for (DirItem d : DirItem.parseAll(c.raw(), c.dataOffset(), c.dataSize())) names.add(d.name());
    for (byte[] n : names) t.unlink(dir, n);
  }
}
