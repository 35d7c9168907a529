package org.jbtrfs.fuse;

import java.io.IOException;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.write.FsError;
import org.jbtrfs.fs.write.SubvolumeDeletion;
import org.jbtrfs.fs.write.SubvolumeLinkMove;

/**
 * Renaming and deleting subvolumes on a live mount: rename(2) of a subvolume's entry, rmdir of an
 * empty subvolume, as the kernel's btrfs_rmdir allows, rmdir of the empty placeholder a snapshot
 * shows for a nested subvolume (only the dangling entry goes), and BTRFS_IOC_SNAP_DESTROY(_V2).
 * Pending changes are committed first and the deletion alone in the next transaction (its tree must
 * not change while it is dropped). Files open in a deleted subvolume live on until closed, as under
 * the kernel; its drop waits for that.
 */
final class SubvolumeRemoval {
  private final FuseFs f;

  SubvolumeRemoval(FuseFs f) {
    this.f = f;
  }

  /**
   * rmdir of {@code name} in {@code dir}, which links {@code victim}'s subvolume (caller locks).
   */
  int rmdir(Node dir, byte[] name, Node victim) throws IOException {
    if (victim.isPlaceholder()) {
      f.rw.committedAlone(
          engine -> {
            new SubvolumeDeletion(engine).unlinkPlaceholder(dir.subvolume().id(), dir.ino(), name);
            return null;
          });
      return 0;
    }
    // btrfs_rmdir: a subvolume's top directory must be empty, as any directory's.
    if (f.inode(victim).size() > 0) return -Errno.ENOTEMPTY;
    return delete(victim.subvolume().id());
  }

  /**
   * rename(2) of the entry linking {@code moving}'s subvolume (caller locks), with btrfs_rename's
   * rules: a snapshot's placeholder does not move and a subvolume is not replaced (ENOTEMPTY); an
   * empty directory or a placeholder in the way goes first.
   */
  int rename(Node from, byte[] oldName, Node to, byte[] newName, Node moving, Node replaced)
      throws IOException {
    if (moving.isPlaceholder()) return -Errno.ENOTEMPTY;
    if (replaced != null && replaced.isSubvolumeTop()) return -Errno.ENOTEMPTY;
    if (replaced != null && !replaced.isPlaceholder()) {
      InodeItem r = f.inode(replaced);
      if (!FileType.isDir(r.mode())) return -Errno.ENOTDIR;
      if (r.size() > 0) return -Errno.ENOTEMPTY;
    }
    if (replaced != null) {
      if (replaced.isPlaceholder()) {
        new SubvolumeDeletion(f.rw.engine())
            .unlinkPlaceholder(to.subvolume().id(), to.ino(), newName);
      } else {
        f.rw.ops(to.subvolume().id()).rmdir(to.ino(), newName);
      }
    }
    // Both directories' subvolumes must be writable; this also marks the transaction changed.
    f.rw.ops(from.subvolume().id());
    f.rw.ops(to.subvolume().id());
    new SubvolumeLinkMove(f.rw.engine())
        .move(
            moving.subvolume().id(),
            new SubvolumeLinkMove.Dir(from.subvolume().id(), from.ino()),
            oldName,
            new SubvolumeLinkMove.Dir(to.subvolume().id(), to.ino()),
            newName);
    f.nodes.moved(moving, to);
    return 0;
  }

  /** Deletes subvolume {@code id}, whatever it holds (the destroy ioctls; caller locks). */
  int delete(long id) throws IOException {
    // The mount's own root (a subvol= mount, deleted by id from inside) would leave it on nothing.
    if (id == f.mountedSubvolume()) {
      throw new FsError(FsError.EBUSY, "subvolume " + id + " is the mounted one");
    }
    f.rw.committedAlone(
        engine -> {
          new SubvolumeDeletion(engine).delete(id);
          return null;
        });
    f.rw.subvolumeDeleted();
    return 0;
  }
}
