package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.DataSeek;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.SpaceReport;
import org.jbtrfs.fs.Xattrs;
import org.jbtrfs.fs.write.MountedWriter;

/** File data and attributes: getattr, setattr, open, read, write, release, fsync, fallocate. */
final class FileRequests {
  private static final int TRUNCATE_ITEMS = 3;
  private static final int SETATTR_ITEMS = 1;
  private static final int FALLOCATE_ITEMS = 3;
  private static final byte[] CAPABILITY = "security.capability".getBytes(StandardCharsets.UTF_8);

  /** Each worker's read buffer: a request reads at most MAX_IO bytes. */
  private static final ThreadLocal<byte[]> READ_BUF =
      ThreadLocal.withInitial(() -> new byte[FuseSession.MAX_IO]);

  private final FuseFs f;

  FileRequests(FuseFs f) {
    this.f = f;
  }

  int getattr(FuseRequest req, FuseReply out) {
    // struct fuse_getattr_in { getattr_flags, dummy, fh }
    FuseFs.Handle h = (req.u32(0) & FuseProtocol.GETATTR_FH) != 0 ? f.handle(req.u64(8)) : null;
    return f.reading(
        "getattr",
        req.nodeid(),
        () -> f.attrReply(out, h != null ? h.node() : f.node(req.nodeid())));
  }

  /** FUSE_STATX, which the kernel sends when a caller asks for the birth time. */
  int statx(FuseRequest req, FuseReply out) {
    // struct fuse_statx_in { getattr_flags, reserved, fh, sx_flags, sx_mask }
    FuseFs.Handle h = (req.u32(0) & FuseProtocol.GETATTR_FH) != 0 ? f.handle(req.u64(8)) : null;
    return f.reading(
        "statx",
        req.nodeid(),
        () -> f.statxReply(out, h != null ? h.node() : f.node(req.nodeid())));
  }

  private static final int SEEK_DATA = 3;
  private static final int SEEK_HOLE = 4;

  /** FUSE_LSEEK: SEEK_DATA and SEEK_HOLE (the kernel handles the other whences itself). */
  int lseek(FuseRequest req, FuseReply out) {
    // struct fuse_lseek_in { fh, offset, whence, padding }
    FuseFs.Handle h = f.handle(req.u64(0));
    long offset = req.u64(8);
    int whence = req.u32(16);
    if (h == null || (whence != SEEK_DATA && whence != SEEK_HOLE)) return -Errno.EINVAL;
    Node n = h.node();
    if (f.rw != null && f.rw.bufferedBytes(n) > 0) {
      // Buffered pages become extents first, so the extent map tells data from holes.
      int r =
          f.changing(
              "lseek",
              req.nodeid(),
              0,
              false,
              () -> {
                f.rw.writebackFile(n);
                return 0;
              });
      if (r != 0) return r;
    }
    return f.reading(
        "lseek",
        req.nodeid(),
        () -> {
          long at = DataSeek.seek(n, f.inode(n), offset, whence == SEEK_DATA);
          if (at == DataSeek.NONE) return -Errno.ENXIO;
          out.u64(at);
          return 0;
        });
  }

  int setattr(FuseRequest req, FuseReply out) {
    // struct fuse_setattr_in
    int valid = req.u32(0);
    FuseFs.Handle h = (valid & FuseProtocol.FATTR_FH) != 0 ? f.handle(req.u64(8)) : null;
    long size = req.u64(16);
    Timespec atime = new Timespec(req.u64(32), req.u32(56));
    Timespec mtime = new Timespec(req.u64(40), req.u32(60));
    int mode = req.u32(68);
    long uid = req.u32(76) & 0xffffffffL;
    long gid = req.u32(80) & 0xffffffffL;
    boolean sizing = (valid & FuseProtocol.FATTR_SIZE) != 0;
    return f.changing(
        "setattr",
        req.nodeid(),
        sizing ? TRUNCATE_ITEMS + SETATTR_ITEMS : SETATTR_ITEMS,
        sizing,
        () -> {
          Node n = h != null ? h.node() : f.node(req.nodeid());
          InodeFlagRules.checkSetattr(f.inode(n), valid);
          boolean changed = false;
          if (sizing) {
            if (FileType.isDir(f.inode(n).mode())) return -Errno.EISDIR;
            // As in the kernel: ftruncate (which comes with its handle) always sets mtime and
            // ctime, truncate(2) only when the size changes. open(O_TRUNC) truncates in OPEN.
            if (h != null || size != f.inode(n).size()) f.rw.truncate(n, size);
            killPrivileges(n, (valid & FuseProtocol.FATTR_KILL_SUIDGID) != 0, req);
          }
          InodeItem i = f.inode(n);
          int newMode = i.mode();
          long newUid = i.uid();
          long newGid = i.gid();
          if ((valid & FuseProtocol.FATTR_MODE) != 0) {
            newMode = (i.mode() & FileType.S_IFMT) | (mode & 07777);
            changed = true;
          }
          if ((valid & FuseProtocol.FATTR_KILL_SUIDGID) != 0 && !FileType.isDir(newMode)) {
            newMode = FileModes.withoutSetId(newMode, CallerGroups.inGroupOrRoot(req, i.gid()));
            changed |= newMode != i.mode();
          }
          if ((valid & (FuseProtocol.FATTR_UID | FuseProtocol.FATTR_GID)) != 0) {
            if ((valid & FuseProtocol.FATTR_UID) != 0) newUid = uid;
            if ((valid & FuseProtocol.FATTR_GID) != 0) newGid = gid;
            // Like the kernel: a chown by anyone drops set-id bits of a non-directory.
            if (!FileType.isDir(newMode)) newMode = FileModes.withoutSetId(newMode);
            killCapability(n);
            changed = true;
          }
          Timespec now = Timespec.now();
          Timespec a = i.atime();
          Timespec m = i.mtime();
          if ((valid & FuseProtocol.FATTR_ATIME) != 0) {
            a = (valid & FuseProtocol.FATTR_ATIME_NOW) != 0 ? now : atime;
            changed = true;
          }
          if ((valid & FuseProtocol.FATTR_MTIME) != 0) {
            m = (valid & FuseProtocol.FATTR_MTIME_NOW) != 0 ? now : mtime;
            changed = true;
          }
          if ((valid & ~(FuseProtocol.FATTR_FH | FuseProtocol.FATTR_LOCKOWNER)) == 0) {
            // Nothing the kernel could name: chown(-1, -1), or a change such as fallocate that
            // must drop set-id bits (HANDLE_KILLPRIV_V2 leaves that to us). Both set ctime.
            if (!FileType.isDir(newMode))
              newMode = FileModes.withoutSetId(newMode, CallerGroups.inGroupOrRoot(req, i.gid()));
            killCapability(n);
            changed = true;
          }
          if (changed) f.rw.setattr(n, i.withOwner(newUid, newGid, newMode).withTimes(a, now, m));
          // chmod carries the new bits into the access ACL (posix_acl_chmod, as btrfs_setattr).
          if ((valid & FuseProtocol.FATTR_MODE) != 0 && f.acl && !FileType.isSymlink(newMode))
            f.rw.ops(n.subvolume().id()).xattrs().chmodAcl(n.ino(), newMode);
          return f.attrReply(out, n);
        });
  }

  /**
   * What a write, truncate or chown takes away: security.capability always, set-id bits when the
   * kernel says the caller lacks CAP_FSETID (HANDLE_KILLPRIV_V2 leaves both to the filesystem).
   */
  private void killPrivileges(Node n, boolean setId, FuseRequest req) throws IOException {
    killCapability(n);
    if (!setId) return;
    InodeItem i = f.inode(n);
    int mode = FileModes.withoutSetId(i.mode(), CallerGroups.inGroupOrRoot(req, i.gid()));
    if (mode != i.mode()) f.rw.setattr(n, i.withOwner(i.uid(), i.gid(), mode));
  }

  private void killCapability(Node n) throws IOException {
    if (Xattrs.get(n, CAPABILITY) != null) {
      f.rw.ops(n.subvolume().id()).xattrs().remove(n.ino(), CAPABILITY);
    }
  }

  int open(FuseRequest req, FuseReply out) {
    // struct fuse_open_in { flags, open_flags }
    int flags = req.u32(0);
    int openFlags = req.u32(4);
    boolean trunc = (flags & FileModes.O_TRUNC) != 0;
    if (((flags & FileModes.O_ACCMODE) != 0 || trunc) && f.rw == null) return -Errno.EROFS;
    if (trunc) {
      // O_TRUNC sets mtime and ctime even when the file is empty already.
      return f.changing(
          "open",
          req.nodeid(),
          TRUNCATE_ITEMS + SETATTR_ITEMS,
          true,
          () -> {
            Node n = f.node(req.nodeid());
            if (f.inodeGone(n)) return -Errno.ESTALE;
            if (FileType.isDir(f.inode(n).mode())) return -Errno.EISDIR;
            InodeFlagRules.checkOpen(f.inode(n), flags);
            f.rw.truncate(n, 0);
            killPrivileges(n, (openFlags & FuseProtocol.OPEN_KILL_SUIDGID) != 0, req);
            return openReply(out, n, flags);
          });
    }
    return f.reading(
        "open",
        req.nodeid(),
        () -> {
          Node n = f.node(req.nodeid());
          // Only a node the kernel still caches can be gone here: one reached through a file
          // handle after its file was closed and deleted. ESTALE is the kernel btrfs's answer for
          // such a handle, and a path open racing with an unlink gets the VFS's retry (a new
          // lookup: ENOENT) from it.
          if (f.inodeGone(n)) return -Errno.ESTALE;
          if (FileType.isDir(f.inode(n).mode())) return -Errno.EISDIR;
          InodeFlagRules.checkOpen(f.inode(n), flags);
          return openReply(out, n, flags);
        });
  }

  /** struct fuse_open_out for a new handle on {@code n}. */
  int openReply(FuseReply out, Node n, int flags) {
    boolean direct = (flags & FileModes.O_DIRECT) != 0;
    long fh = f.open(n, direct);
    int openFlags = 0;
    // O_DIRECT handles bypass the kernel's page cache, so every read and write reaches us, and
    // their aligned writes go straight to extents.
    if (direct) openFlags |= FuseProtocol.FOPEN_DIRECT_IO;
    // Cached pages stay valid from one open to the next: file data changes only through this
    // mount, and the kernel keeps its cache right for each way it does (writes pass through the
    // pages; truncate, fallocate's punch and zero, copy_file_range and O_DIRECT writes drop what
    // they change), so nothing needs invalidating behind its back (CacheCoherenceTest).
    openFlags |= FuseProtocol.FOPEN_KEEP_CACHE;
    out.u64(fh).u32(openFlags).u32(0);
    return 0;
  }

  int read(FuseRequest req, FuseReply out) {
    // struct fuse_read_in { fh, offset, size, read_flags, lock_owner, flags, padding }
    FuseFs.Handle h = f.handle(req.u64(0));
    long offset = req.u64(8);
    int size = Math.min(req.u32(16), Math.min(FuseSession.MAX_IO, out.room()));
    if (h == null) return -Errno.EBADF;
    return f.reading(
        "read",
        req.nodeid(),
        () -> {
          Node n = h.node();
          byte[] tmp = READ_BUF.get();
          int got = FileReader.read(n, f.inode(n), offset, tmp, 0, size);
          if (f.rw != null && got > 0) f.rw.overlay(n, offset, tmp, 0, got);
          out.bytes(tmp, 0, got);
          f.accessed(req.nodeid(), n);
          return 0;
        });
  }

  int write(FuseRequest req, FuseReply out) {
    // struct fuse_write_in { fh, offset, size, write_flags, lock_owner, flags, padding }, data
    FuseFs.Handle h = f.handle(req.u64(0));
    long offset = req.u64(8);
    int size = req.u32(16);
    int writeFlags = req.u32(20);
    final int dataAt = 40;
    if (h == null) return -Errno.EBADF;
    boolean[] synchronous = {false};
    // A write's metadata is reserved with its data (delalloc), not per call.
    int r =
        f.changing(
            "write",
            req.nodeid(),
            0,
            false,
            () -> {
              Node n = h.node();
              synchronous[0] = (f.inode(n).flags() & InodeItem.FLAG_SYNC) != 0;
              killPrivileges(n, (writeFlags & FuseProtocol.WRITE_KILL_SUIDGID) != 0, req);
              if (h.direct()) {
                f.rw.writeDirect(n, offset, req.bytes(dataAt, size), size);
              } else {
                // Straight from the request buffer into the page cache: no copy of the whole
                // request.
                f.rw.write(
                    n,
                    offset,
                    (src, dst, dstOff, l) -> req.copy(dataAt + (int) src, dst, dstOff, l),
                    size);
              }
              out.u32(size).u32(0);
              return 0;
            });
    // chattr +S: each write is on the devices before it returns, as with O_SYNC.
    return r == 0 && synchronous[0] ? commit(req, r) : r;
  }

  private int commit(FuseRequest req, int result) {
    try {
      f.rw.commitLocked();
      return result;
    } catch (Throwable t) {
      return Errno.of(t, "write", "node " + req.nodeid());
    }
  }

  int release(FuseRequest req) {
    Node[] closed = new Node[1];
    boolean last = f.close(req.u64(0), closed);
    if (!last || f.rw == null) return 0;
    Node n = closed[0];
    // Only an unlinked file has anything to clean up; the usual close needs no write lock.
    if (f.reading("release", req.nodeid(), () -> linked(n) ? 1 : 0) == 1) return 0;
    return f.changing(
        "release",
        req.nodeid(),
        MountedWriter.ORPHAN_ITEMS,
        true,
        () -> {
          if (n.inode() != null && !linked(n)) f.rw.ops(n.subvolume().id()).releaseOrphan(n.ino());
          return 0;
        });
  }

  private static boolean linked(Node n) throws IOException {
    InodeItem i = n.inode();
    return i != null && i.nlink() > 0;
  }

  /** fsync, fdatasync, fsync of a directory, syncfs: all commit the transaction. */
  int fsync(FuseRequest req) {
    if (f.rw == null) return 0;
    try {
      f.rw.commitLocked();
      return 0;
    } catch (Throwable t) {
      return Errno.of(t, "fsync", "node " + req.nodeid());
    }
  }

  int fallocate(FuseRequest req) {
    // struct fuse_fallocate_in { fh, offset, length, mode, padding }
    FuseFs.Handle h = f.handle(req.u64(0));
    long offset = req.u64(8);
    long length = req.u64(16);
    int mode = req.u32(24);
    return f.changing(
        "fallocate",
        req.nodeid(),
        FALLOCATE_ITEMS,
        false,
        () -> {
          Node n = h != null ? h.node() : f.node(req.nodeid());
          InodeFlagRules.checkFallocate(f.inode(n), mode);
          return f.rw.fallocate(n, mode, offset, length);
        });
  }

  int statfs(FuseRequest req, FuseReply out) {
    return f.reading(
        "statfs",
        req.nodeid(),
        () -> {
          SpaceReport r = f.rw == null ? SpaceReport.compute(f.fs) : f.rw.space();
          int bsize = f.fs.sectorSize();
          // struct fuse_kstatfs
          out.u64(r.totalBytes() / bsize)
              .u64(r.freeBytes() / bsize)
              .u64(r.availableBytes() / bsize);
          out.u64(0).u64(0); // files, ffree: btrfs reports none
          out.u32(bsize).u32(255).u32(bsize).u32(0);
          out.zeros(24);
          return 0;
        });
  }
}
