package org.jbtrfs.fs.write.logreplay;

import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.write.Entries;
import org.jbtrfs.fs.write.FileTree;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;

/**
 * The subvolume one log replays into, with the state the replay stages share: the inodes whose link
 * count is recounted at the end (the kernel's fixup list), and the inodes the log says to skip.
 * Also the name operations every stage needs, done as the kernel's unlink and add-link do.
 */
final class ReplayTarget {
  final WriteEngine engine;
  final LogTree log;
  final FileTree ft;
  final Entries entries;

  /** Inodes whose nlink is recounted from their back references once the log is replayed. */
  final TreeSet<Long> fixup = new TreeSet<>();

  /** Inodes logged with no link (an fsynced tmpfile): nothing of theirs is replayed. */
  final Set<Long> ignored = new HashSet<>();

  ReplayTarget(WriteEngine engine, LogTree log) {
    this.engine = engine;
    this.log = log;
    this.ft = new FileTree(engine, log.subvolumeId());
    this.entries = new Entries(ft);
  }

  WritableTree tree() throws IOException {
    return ft.tree();
  }

  static Key inodeKey(long ino) {
    return new Key(ino, ItemType.INODE_ITEM, 0);
  }

  boolean inodeExists(long ino) throws IOException {
    return tree().get(inodeKey(ino)) != null;
  }

  /** The inode, which the replay needs to exist; a log naming a missing one is not replayed. */
  InodeItem requireInode(long ino, String why) throws IOException {
    byte[] raw = tree().get(inodeKey(ino));
    if (raw == null || raw.length < InodeItem.SIZE) {
      throw new UnsupportedFeatureException(
          "the log refers to inode " + ino + " (" + why + ") which the subvolume does not have");
    }
    return InodeItem.parse(raw, 0);
  }

  /** The subvolume's DIR_ITEM entry for {@code name} in {@code dir}, or null. */
  DirItem dirItem(long dir, byte[] name) throws IOException {
    byte[] raw = tree().get(new Key(dir, ItemType.DIR_ITEM, NameHash.crc32cName(name)));
    if (raw == null) return null;
    for (DirItem d : DirItem.parseAll(raw, 0, raw.length))
      if (Arrays.equals(d.name(), name)) return d;
    return null;
  }

  /** The subvolume's DIR_INDEX entry at {@code index} of {@code dir}, or null. */
  DirItem dirIndex(long dir, long index) throws IOException {
    byte[] raw = tree().get(new Key(dir, ItemType.DIR_INDEX, index));
    if (raw == null) return null;
    var all = DirItem.parseAll(raw, 0, raw.length);
    return all.isEmpty() ? null : all.get(0);
  }

  /** Whether the subvolume's INODE_REF (or, {@code ext}, INODE_EXTREF) of {@code ino} has it. */
  boolean hasRef(boolean ext, long ino, long dir, byte[] name) throws IOException {
    if (!ext) {
      byte[] raw = tree().get(new Key(ino, ItemType.INODE_REF, dir));
      if (raw == null) return false;
      for (InodeRef r : InodeRef.parseRefs(dir, raw, 0, raw.length))
        if (Arrays.equals(r.name(), name)) return true;
      return false;
    }
    byte[] raw = tree().get(new Key(ino, ItemType.INODE_EXTREF, NameHash.extrefHash(dir, name)));
    if (raw == null) return false;
    for (InodeRef r : InodeRef.parseExtrefs(raw, 0, raw.length))
      if (r.parent() == dir && Arrays.equals(r.name(), name)) return true;
    return false;
  }

  /**
   * Removes name {@code name} from {@code dir} (dir item, dir index, back reference, directory
   * size), as btrfs_unlink_inode does; the inode it named gets its link count recounted later.
   */
  void unlink(long dir, byte[] name) throws IOException {
    DirItem d = dirItem(dir, name);
    if (d != null && d.location().type() != ItemType.INODE_ITEM) {
      throw new UnsupportedFeatureException(
          "the log removes a subvolume link from directory " + dir);
    }
    Entries.Entry e = entries.remove(dir, name);
    fixup.add(e.ino());
    InodeItem i = ft.inode(e.ino());
    ft.putInode(e.ino(), i.withTimes(i.atime(), FileTree.now(), i.mtime()));
  }
}
