package org.jbtrfs.fs.write;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.txn.WriteEngine;

/**
 * Namespace operations on one subvolume in the running transaction: create, mkdir, symlink, mknod,
 * link, unlink, rmdir, rename, truncate, xattrs. Directory nlink stays 1, as btrfs keeps it.
 */
public final class FsOps {
  private final FileTree ft;
  private final Entries entries;
  private final FileData data;
  private final Xattrs xattrs;
  private final FileAttributes attributes;

  /** Inodes still open through the mount: their last unlink leaves an orphan, not a deletion. */
  private java.util.function.LongPredicate isOpen = ino -> false;

  /** Told about every deleted inode, so buffered state for it is dropped. */
  private java.util.function.LongConsumer onDelete = ino -> {};

  public FsOps(WriteEngine engine, long subvolumeId) {
    this(engine, subvolumeId, new java.util.concurrent.atomic.AtomicLong(-1));
  }

  /** {@code nextIno} outlives this object, so a mount never hands out a number twice. */
  public FsOps(
      WriteEngine engine, long subvolumeId, java.util.concurrent.atomic.AtomicLong nextIno) {
    this.ft = new FileTree(engine, subvolumeId, nextIno);
    this.entries = new Entries(ft);
    this.data = new FileData(ft);
    this.xattrs = new Xattrs(ft);
    this.attributes = new FileAttributes(ft, xattrs.compression());
  }

  /** Whether default ACLs are inherited (off with the mount option noacl, as in the kernel). */
  private boolean posixAcls = true;

  public void setPosixAcls(boolean on) {
    this.posixAcls = on;
  }

  public void setOpenFiles(java.util.function.LongPredicate isOpen) {
    this.isOpen = isOpen;
  }

  public void setOnDelete(java.util.function.LongConsumer onDelete) {
    this.onDelete = onDelete;
  }

  public FileTree fileTree() {
    return ft;
  }

  public Entries entries() {
    return entries;
  }

  public FileData data() {
    return data;
  }

  public Xattrs xattrs() {
    return xattrs;
  }

  /** chattr's flags. */
  public FileAttributes attributes() {
    return attributes;
  }

  /**
   * Creates an inode of type {@code mode} named {@code name} in {@code dir}; returns its number.
   * The directory's default ACL, if any, narrows the mode and gives the inode its ACLs.
   */
  public long create(long dir, byte[] name, int mode, long uid, long gid, long rdev)
      throws IOException {
    return create(dir, name, mode, 0, uid, gid, rdev);
  }

  /**
   * As {@link #create(long, byte[], int, long, long, long)}, with the creator's {@code umask},
   * which applies only when the directory has no default ACL (as in the kernel).
   */
  public long create(long dir, byte[] name, int mode, int umask, long uid, long gid, long rdev)
      throws IOException {
    requireDir(dir);
    Entries.checkName(name);
    if (entries.lookup(dir, name) != null)
      throw new java.nio.file.FileAlreadyExistsException(new String(name));
    long ino = ft.allocateIno();
    int m = posixAcls ? xattrs.inheritedMode(dir, mode, umask) : mode & ~(umask & 0777);
    ft.putInode(ino, ft.newInode(m, uid, gid, rdev, 0));
    xattrs.compression().inherit(dir, ino);
    if (posixAcls) xattrs.inheritAcls(dir, ino, mode);
    entries.add(dir, name, ino, fileTypeOf(mode));
    return ino;
  }

  public long symlink(long dir, byte[] name, byte[] target, long uid, long gid) throws IOException {
    if (target.length == 0 || target.length >= 4096)
      throw new FsError(
          target.length == 0 ? FsError.ENOENT : FsError.ENAMETOOLONG,
          "symlink target length " + target.length);
    long ino = create(dir, name, FileType.S_IFLNK | 0777, uid, gid, 0);
    ft.tree()
        .insert(
            new Key(ino, ItemType.EXTENT_DATA, 0),
            FileExtentItem.encodeInline(ft.transid(), target.length, 0, target));
    InodeItem i = ft.inode(ino);
    ft.putInode(ino, i.withSize(target.length, target.length));
    return ino;
  }

  /** Adds another name for an existing non-directory inode. */
  public void link(long ino, long dir, byte[] name) throws IOException {
    InodeItem i = ft.inode(ino);
    if (FileType.isDir(i.mode()))
      throw new FsError(FsError.EPERM, "hard links to directories are not allowed");
    entries.add(dir, name, ino, fileTypeOf(i.mode()));
    Timespec now = FileTree.now();
    ft.putInode(ino, i.withNlink(i.nlink() + 1).withTimes(i.atime(), now, i.mtime()));
    // An O_TMPFILE file gets its first name: it is no longer an orphan (as btrfs_link).
    if (i.nlink() == 0) {
      ft.tree().delete(new Key(org.jbtrfs.format.ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, ino));
    }
  }

  /**
   * O_TMPFILE: an inode with no name in {@code dir} (its ACLs and compression inherited from it),
   * with no links and an orphan item, as btrfs_tmpfile leaves it: it goes away when closed, or
   * after a crash, unless linkat gives it a name first.
   */
  public long createTmpfile(long dir, int mode, int umask, long uid, long gid) throws IOException {
    requireDir(dir);
    long ino = ft.allocateIno();
    int m = posixAcls ? xattrs.inheritedMode(dir, mode, umask) : mode & ~(umask & 0777);
    ft.putInode(ino, ft.newInode(m, uid, gid, 0, 0).withNlink(0));
    xattrs.compression().inherit(dir, ino);
    if (posixAcls) xattrs.inheritAcls(dir, ino, mode);
    ft.tree()
        .put(new Key(org.jbtrfs.format.ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, ino), new byte[0]);
    return ino;
  }

  /** Removes a non-directory name; the inode goes away with its last link. */
  public void unlink(long dir, byte[] name) throws IOException {
    Entries.Entry e = entries.lookup(dir, name);
    if (e == null) throw new java.io.FileNotFoundException(new String(name));
    InodeItem i = ft.inode(e.ino());
    if (FileType.isDir(i.mode())) throw new FsError(FsError.EISDIR, "is a directory");
    entries.remove(dir, name);
    dropLink(e.ino());
  }

  public void rmdir(long dir, byte[] name) throws IOException {
    Entries.Entry e = entries.lookup(dir, name);
    if (e == null) throw new java.io.FileNotFoundException(new String(name));
    InodeItem i = ft.inode(e.ino());
    if (!FileType.isDir(i.mode())) throw new NotDirectoryException(new String(name));
    if (!entries.isEmpty(e.ino())) throw new DirectoryNotEmptyException(new String(name));
    entries.remove(dir, name);
    // An open directory lives on, empty and with no links, until its last handle closes.
    dropLink(e.ino());
  }

  /**
   * Moves {@code name} in {@code fromDir} to {@code toName} in {@code toDir}, replacing a file
   * there.
   */
  public void rename(long fromDir, byte[] name, long toDir, byte[] toName) throws IOException {
    // Checked before anything changes: a bad new name must not cost the old entry.
    Entries.checkName(toName);
    Entries.Entry e = entries.lookup(fromDir, name);
    if (e == null) throw new java.io.FileNotFoundException(new String(name));
    InodeItem moving = ft.inode(e.ino());
    if (FileType.isDir(moving.mode()) && isAncestor(e.ino(), toDir)) {
      throw new FsError(FsError.EINVAL, "cannot move a directory into itself");
    }
    Entries.Entry existing = entries.lookup(toDir, toName);
    if (existing != null) {
      if (existing.ino() == e.ino()) return;
      InodeItem target = ft.inode(existing.ino());
      if (FileType.isDir(target.mode())) rmdir(toDir, toName);
      else unlink(toDir, toName);
    }
    entries.remove(fromDir, name);
    entries.add(toDir, toName, e.ino(), fileTypeOf(moving.mode()));
    InodeItem i = ft.inode(e.ino());
    ft.putInode(e.ino(), i.withTimes(i.atime(), FileTree.now(), i.mtime()));
  }

  /**
   * renameat2's RENAME_EXCHANGE: the two names swap their inodes atomically, as the kernel's
   * btrfs_rename_exchange does; both must exist, and a directory may not move into itself.
   */
  public void exchange(long dirA, byte[] nameA, long dirB, byte[] nameB) throws IOException {
    Entries.Entry a = entries.lookup(dirA, nameA);
    Entries.Entry b = entries.lookup(dirB, nameB);
    if (a == null || b == null) {
      throw new java.io.FileNotFoundException(new String(a == null ? nameA : nameB));
    }
    if (a.ino() == b.ino()) return;
    InodeItem ia = ft.inode(a.ino());
    InodeItem ib = ft.inode(b.ino());
    if ((FileType.isDir(ia.mode()) && isAncestor(a.ino(), dirB))
        || (FileType.isDir(ib.mode()) && isAncestor(b.ino(), dirA))) {
      throw new FsError(FsError.EINVAL, "cannot move a directory into itself");
    }
    entries.remove(dirA, nameA);
    entries.remove(dirB, nameB);
    entries.add(dirA, nameA, b.ino(), fileTypeOf(ib.mode()));
    entries.add(dirB, nameB, a.ino(), fileTypeOf(ia.mode()));
    Timespec now = FileTree.now();
    for (long ino : new long[] {a.ino(), b.ino()}) {
      InodeItem i = ft.inode(ino);
      ft.putInode(ino, i.withTimes(i.atime(), now, i.mtime()));
    }
  }

  private boolean isAncestor(long dirIno, long candidate) throws IOException {
    long root = ft.engine().fs().subvolume(ft.id()).rootDirIno();
    for (long cur = candidate; ; ) {
      if (cur == dirIno) return true;
      if (cur == root) return false;
      List<org.jbtrfs.format.InodeRef> refs = entries.refs(cur);
      if (refs.isEmpty()) return false;
      cur = refs.get(0).parent();
    }
  }

  private void dropLink(long ino) throws IOException {
    InodeItem i = ft.inode(ino);
    if (i.nlink() <= 1 && isOpen.test(ino)) {
      // Still open: keep the data until release; the orphan item frees it after a crash.
      ft.putInode(ino, i.withNlink(0).withTimes(i.atime(), FileTree.now(), i.mtime()));
      ft.tree()
          .put(new Key(org.jbtrfs.format.ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, ino), new byte[0]);
      return;
    }
    if (i.nlink() <= 1) {
      deleteInode(ino);
      return;
    }
    ft.putInode(ino, i.withNlink(i.nlink() - 1).withTimes(i.atime(), FileTree.now(), i.mtime()));
  }

  /** The last handle of an unlinked inode closed: delete it and its orphan item. */
  public void releaseOrphan(long ino) throws IOException {
    ft.tree().delete(new Key(org.jbtrfs.format.ObjectIds.ORPHAN, ItemType.ORPHAN_ITEM, ino));
    deleteOrphan(ino);
  }

  /** Deletes an orphaned inode if it is still there. */
  public void deleteOrphan(long ino) throws IOException {
    if (ft.tree().get(new Key(ino, ItemType.INODE_ITEM, 0)) != null) deleteInode(ino);
  }

  /** Removes every item of the inode: extents (dropping their references), xattrs, the inode. */
  private void deleteInode(long ino) throws IOException {
    onDelete.accept(ino);
    data.dropAll(ino);
    ft.tree().deleteRange(new Key(ino, 0, 0), new Key(ino, 0xff, -1L));
  }

  private void requireDir(long dir) throws IOException {
    if (!FileType.isDir(ft.inode(dir).mode())) throw new NotDirectoryException("inode " + dir);
  }

  /** The directory entry type for an inode mode. */
  public static int fileTypeOf(int mode) {
    return switch (mode & FileType.S_IFMT) {
      case FileType.S_IFREG -> FileType.REG;
      case FileType.S_IFDIR -> FileType.DIR;
      case FileType.S_IFCHR -> FileType.CHRDEV;
      case FileType.S_IFBLK -> FileType.BLKDEV;
      case FileType.S_IFIFO -> FileType.FIFO;
      case FileType.S_IFSOCK -> FileType.SOCK;
      case FileType.S_IFLNK -> FileType.SYMLINK;
      default -> FileType.UNKNOWN;
    };
  }
}
