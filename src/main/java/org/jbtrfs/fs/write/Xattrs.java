package org.jbtrfs.fs.write;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.WritableTree;

/** Sets and removes extended attributes (XATTR_ITEMs keyed by name hash, like dir entries). */
public final class Xattrs {
  private final FileTree ft;

  public Xattrs(FileTree ft) {
    this.ft = ft;
  }

  public void set(long ino, byte[] name, byte[] value) throws IOException {
    if (name.length == 0 || name.length > Entries.NAME_MAX)
      throw new FsError(FsError.ERANGE_NAME, "invalid xattr name length");
    int max =
        ft.engine().fs().superblock().nodeSize()
            - TreeHeader.SIZE
            - TreeHeader.ITEM_SIZE
            - DirItem.HEADER_SIZE;
    // ENOSPC, as the kernel's btrfs_setxattr answers (E2BIG is only for values over 64 KiB).
    if (name.length + value.length > max)
      throw new FsError(FsError.ENOSPC, "xattr too large for this node size");
    if (Arrays.equals(name, PosixAcl.ACCESS)) {
      setAccessAcl(ino, name, value);
      return;
    }
    store(ino, name, value);
    touch(ino);
  }

  private void store(long ino, byte[] name, byte[] value) throws IOException {
    WritableTree t = ft.tree();
    Key key = new Key(ino, ItemType.XATTR_ITEM, NameHash.crc32cName(name));
    List<byte[]> keep = others(t.get(key), name);
    keep.add(new DirItem(new Key(0, 0, 0), ft.transid(), FileType.XATTR, name, value).encode());
    t.put(key, org.jbtrfs.format.ByteArrays.concat(keep.toArray(new byte[0][])));
  }

  /**
   * An access ACL sets the mode, as the kernel's posix_acl_update_mode does; it is stored only when
   * the mode alone cannot say it (named entries or a mask).
   */
  private void setAccessAcl(long ino, byte[] name, byte[] value) throws IOException {
    InodeItem i = ft.inode(ino);
    PosixAcl.Effect e = PosixAcl.apply(value, i.mode());
    if (e == null) throw new FsError(FsError.EINVAL, "malformed access ACL");
    if (e.keepXattr()) store(ino, name, value);
    else remove(ino, name);
    InodeItem now = ft.inode(ino);
    ft.putInode(
        ino,
        now.withOwner(now.uid(), now.gid(), e.mode())
            .withTimes(now.atime(), FileTree.now(), now.mtime()));
  }

  /** Returns false when there was no such attribute. */
  public boolean remove(long ino, byte[] name) throws IOException {
    WritableTree t = ft.tree();
    Key key = new Key(ino, ItemType.XATTR_ITEM, NameHash.crc32cName(name));
    byte[] raw = t.get(key);
    if (raw == null) return false;
    List<byte[]> keep = others(raw, name);
    if (keep.size() == DirItem.parseAll(raw, 0, raw.length).size()) return false;
    if (keep.isEmpty()) t.delete(key);
    else t.put(key, org.jbtrfs.format.ByteArrays.concat(keep.toArray(new byte[0][])));
    touch(ino);
    return true;
  }

  private static List<byte[]> others(byte[] raw, byte[] name) throws IOException {
    List<byte[]> keep = new ArrayList<>();
    if (raw == null) return keep;
    for (DirItem d : DirItem.parseAll(raw, 0, raw.length))
      if (!Arrays.equals(d.name(), name)) keep.add(d.encode());
    return keep;
  }

  private void touch(long ino) throws IOException {
    InodeItem i = ft.inode(ino);
    ft.putInode(ino, i.withTimes(i.atime(), FileTree.now(), i.mtime()));
  }
}
