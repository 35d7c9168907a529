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
  private final CompressionProperty compression;

  public Xattrs(FileTree ft) {
    this.ft = ft;
    this.compression = new CompressionProperty(ft, this);
  }

  /** btrfs.compression, which is also the compression and nocow flags' partner. */
  public CompressionProperty compression() {
    return compression;
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
      setAccessAcl(ino, value, false);
      return;
    }
    if (CompressionProperty.isName(name)) {
      compression.set(ino, value);
      return;
    }
    if (Arrays.equals(name, PosixAcl.DEFAULT) && PosixAcl.parse(value) == null)
      throw new FsError(FsError.EINVAL, "malformed default ACL");
    store(ino, name, value);
    touch(ino);
  }

  /** Stores the attribute as is, with no rule of its namespace applied (nor ctime changed). */
  void store(long ino, byte[] name, byte[] value) throws IOException {
    WritableTree t = ft.tree();
    Key key = new Key(ino, ItemType.XATTR_ITEM, NameHash.crc32cName(name));
    List<byte[]> keep = others(t.get(key), name);
    keep.add(new DirItem(new Key(0, 0, 0), ft.transid(), FileType.XATTR, name, value).encode());
    t.put(key, org.jbtrfs.format.ByteArrays.concat(keep.toArray(new byte[0][])));
  }

  /**
   * Sets the access ACL, which sets the mode as the kernel's posix_acl_update_mode does: the ACL is
   * stored only when the mode alone cannot say it (named entries or a mask), and the set-gid bit
   * goes when {@code killSetGid} (a caller outside the file's group without CAP_FSETID).
   */
  public void setAccessAcl(long ino, byte[] value, boolean killSetGid) throws IOException {
    PosixAcl acl = PosixAcl.parse(value);
    if (acl == null) throw new FsError(FsError.EINVAL, "malformed access ACL");
    InodeItem i = ft.inode(ino);
    int mode = acl.modeFor(i.mode());
    if (killSetGid) mode &= ~02000;
    if (acl.equivalentToMode()) remove(ino, PosixAcl.ACCESS);
    else store(ino, PosixAcl.ACCESS, acl.encode());
    InodeItem now = ft.inode(ino);
    ft.putInode(
        ino,
        now.withOwner(now.uid(), now.gid(), mode)
            .withTimes(now.atime(), FileTree.now(), now.mtime()));
  }

  /** chmod rewrites the access ACL, if there is one, to the new mode (posix_acl_chmod). */
  public void chmodAcl(long ino, int mode) throws IOException {
    byte[] raw = get(ino, PosixAcl.ACCESS);
    PosixAcl acl = raw == null ? null : PosixAcl.parse(raw);
    if (acl != null) store(ino, PosixAcl.ACCESS, acl.chmod(mode).encode());
  }

  /**
   * A new inode's mode from its directory: narrowed by the directory's default ACL, which also
   * gives it an access ACL (and a directory the default ACL itself), or without one by the umask
   * (posix_acl_create). Symbolic links get neither.
   */
  int inheritedMode(long dir, int mode, int umask) throws IOException {
    if (FileType.isSymlink(mode)) return mode;
    byte[] raw = get(dir, PosixAcl.DEFAULT);
    PosixAcl acl = raw == null ? null : PosixAcl.parse(raw);
    return acl == null ? mode & ~(umask & 0777) : acl.inherit(mode).mode();
  }

  /** Stores the ACLs {@link #inheritedMode} decided for new inode {@code ino}. */
  void inheritAcls(long dir, long ino, int requestedMode) throws IOException {
    if (FileType.isSymlink(requestedMode)) return;
    byte[] raw = get(dir, PosixAcl.DEFAULT);
    PosixAcl acl = raw == null ? null : PosixAcl.parse(raw);
    if (acl == null) return;
    PosixAcl.Inherited in = acl.inherit(requestedMode);
    if (in.access() != null) store(ino, PosixAcl.ACCESS, in.access().encode());
    if (FileType.isDir(requestedMode)) store(ino, PosixAcl.DEFAULT, raw);
  }

  /** The value of xattr {@code name} of {@code ino} in the running transaction, or null. */
  public byte[] get(long ino, byte[] name) throws IOException {
    byte[] raw = ft.tree().get(new Key(ino, ItemType.XATTR_ITEM, NameHash.crc32cName(name)));
    if (raw == null) return null;
    for (DirItem d : DirItem.parseAll(raw, 0, raw.length))
      if (Arrays.equals(d.name(), name)) return d.data();
    return null;
  }

  /** Returns false when there was no such attribute. */
  public boolean remove(long ino, byte[] name) throws IOException {
    if (CompressionProperty.isName(name)) return compression.remove(ino);
    return drop(ino, name);
  }

  /** Removes the attribute with no rule of its namespace applied; false when it was not there. */
  boolean drop(long ino, byte[] name) throws IOException {
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
