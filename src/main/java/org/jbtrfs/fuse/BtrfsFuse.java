package org.jbtrfs.fuse;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Lock;
import jnr.ffi.Pointer;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.DirEntry;
import org.jbtrfs.fs.Directories;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.SpaceReport;
import org.jbtrfs.fs.Xattrs;
import org.jbtrfs.fs.write.MountedWriter;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;
import ru.serce.jnrfuse.struct.Timespec;

/**
 * The FUSE front end: POSIX calls on paths, answered from the filesystem's trees. With a {@link
 * MountedWriter} the mount is read-write: changes take its write lock, reads its read lock.
 */
public final class BtrfsFuse extends FuseStubFS {
  private static final int O_ACCMODE = 3;
  private static final int O_DIRECT = 040000;
  private static final int W_OK = 2;

  /**
   * readdir positions: 1 and 2 follow "." and ".."; an entry with dir index i is followed by i+1.
   */
  private static final long FIRST_INDEX = 2;

  private static final int READDIR_BATCH = 256;

  private final Filesystem fs;
  private final PathResolver paths;
  private final MountedWriter rw;
  private final Map<Long, Node> handles = new ConcurrentHashMap<>();
  private final Map<Node, Integer> openCounts = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);
  private final java.util.Set<Long> directHandles = ConcurrentHashMap.newKeySet();

  /**
   * Tree items each change touches at most (the kernel's transaction unit counts): what their
   * metadata reservation is sized by.
   */
  private static final int CREATE_ITEMS = 5;

  private static final int SYMLINK_ITEMS = 7;
  private static final int LINK_ITEMS = 5;
  private static final int UNLINK_ITEMS = org.jbtrfs.space.GlobalReserveSize.UNLINK_METADATA_UNITS;
  private static final int RENAME_ITEMS = 11;
  private static final int TRUNCATE_ITEMS = 3;
  private static final int SETATTR_ITEMS = 1;
  private static final int XATTR_ITEMS = 2;
  private static final int FALLOCATE_ITEMS = 3;

  public BtrfsFuse(Filesystem fs, Node root, MountedWriter rw) {
    this.fs = fs;
    this.paths = new PathResolver(fs, root);
    this.rw = rw;
    // Without nullpath_ok libfuse answers ENOENT itself for I/O on a file unlinked while open
    // (hard_remove); without utime_omit_ok it drops utimensat calls that set only one time.
    OperationFlags.enable(fuseOperations);
  }

  private interface Op {
    int run() throws IOException;
  }

  /** Runs a read-only operation (under the read lock when the mount is writable). */
  private int reading(String op, String path, Op body) {
    Lock l = rw == null ? null : rw.lock().readLock();
    if (l != null) l.lock();
    try {
      return body.run();
    } catch (Throwable t) {
      return Errno.of(t, op, path);
    } finally {
      if (l != null) l.unlock();
    }
  }

  /** Runs a change of up to {@code items} tree items, which needs new metadata space. */
  private int changing(String op, String path, int items, Op body) {
    return changing(op, path, items, false, body);
  }

  /**
   * Runs a change under the write lock; EROFS on a read-only mount. Metadata for {@code items} tree
   * items is reserved before the change starts and what it did not use is given back after. Changes
   * that free space ({@code freesSpace}) may borrow from the global reserve, so a full filesystem
   * can be cleaned.
   */
  private int changing(String op, String path, int items, boolean freesSpace, Op body) {
    if (rw == null) return -Errno.EROFS;
    Lock l = rw.lock().writeLock();
    l.lock();
    try {
      rw.engine().checkNotAborted();
      try (var reservation = rw.reserveChange(items, freesSpace)) {
        return body.run();
      }
    } catch (Throwable t) {
      return Errno.of(t, op, path);
    } finally {
      l.unlock();
    }
  }

  private Node node(String path) throws IOException {
    if (path == null) throw new FileNotFoundException("no path (unlinked while open)");
    NameRules.checkPath(path);
    Node n = paths.resolve(path);
    if (n == null) throw new FileNotFoundException("no such entry: " + path);
    return n;
  }

  private InodeItem inode(Node n) throws IOException {
    InodeItem i = rw != null ? rw.inode(n) : n.inode();
    if (i == null) throw new FileNotFoundException("inode " + n + " has no inode item");
    return i;
  }

  private long ino(Node n) {
    return InodeNumbers.of(n, paths.root().subvolume().id());
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  private static byte[] nameOf(String path) {
    return path.substring(path.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8);
  }

  private void fillStat(FileStat st, Node n) throws IOException {
    InodeItem i = inode(n);
    StatFiller.fill(st, ino(n), i, fs.sectorSize(), rw == null ? 0 : rw.bufferedBytes(n));
  }

  @Override
  public int getattr(String path, FileStat stat) {
    return reading(
        "getattr",
        path,
        () -> {
          // Every create starts with a lookup that misses: answer it without an exception.
          if (path == null) return -Errno.ENOENT;
          NameRules.checkPath(path);
          Node n = paths.resolve(path);
          if (n == null) return -Errno.ENOENT;
          fillStat(stat, n);
          return 0;
        });
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    Node n = handles.get(fi.fh.get());
    if (n == null) return getattr(path, stat);
    return reading(
        "fgetattr",
        path,
        () -> {
          fillStat(stat, n);
          return 0;
        });
  }

  @Override
  public int readlink(String path, Pointer buf, long size) {
    return reading(
        "readlink",
        path,
        () -> {
          Node n = node(path);
          InodeItem inode = inode(n);
          if (!FileType.isSymlink(inode.mode())) return -Errno.EINVAL;
          byte[] target = FileReader.readLink(n, inode);
          if (rw != null) rw.accessed(n);
          int len = (int) Math.min(target.length, size - 1);
          buf.put(0, target, 0, len);
          buf.putByte(len, (byte) 0);
          return 0;
        });
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    int flags = fi.flags.get();
    if ((flags & O_ACCMODE) != 0 && rw == null) return -Errno.EROFS;
    return reading(
        "open",
        path,
        () -> {
          Node n = node(path);
          if (FileType.isDir(inode(n).mode())) return -Errno.EISDIR;
          register(fi, n, flags);
          return 0;
        });
  }

  private void register(FuseFileInfo fi, Node n, int flags) {
    long fh = nextHandle.getAndIncrement();
    handles.put(fh, n);
    openCounts.merge(n, 1, Integer::sum);
    fi.fh.set(fh);
    // O_DIRECT handles bypass the kernel's page cache, so every read and write reaches us, and
    // their aligned writes go straight to extents.
    if ((flags & O_DIRECT) != 0) {
      FileInfoBits.setDirectIo(fi);
      if (rw != null) directHandles.add(fh);
    }
  }

  @Override
  public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    return reading(
        "read",
        path,
        () -> {
          Node n = handles.get(fi.fh.get());
          if (n == null) return -Errno.EBADF;
          int len = (int) Math.min(size, 1 << 24);
          byte[] tmp = new byte[len];
          int got = FileReader.read(n, inode(n), offset, tmp, 0, len);
          if (rw != null && got > 0) rw.overlay(n, offset, tmp, 0, got);
          buf.put(0, tmp, 0, got);
          if (rw != null) rw.accessed(n);
          return got;
        });
  }

  @Override
  public int write(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    // A write's metadata is reserved with its data (delalloc), not per call.
    return changing(
        "write",
        path,
        0,
        () -> {
          long fh = fi.fh.get();
          Node n = handles.get(fh);
          if (n == null) return -Errno.EBADF;
          int len = (int) size;
          if (directHandles.contains(fh)) {
            byte[] tmp = new byte[len];
            buf.get(0, tmp, 0, len);
            rw.writeDirect(n, offset, tmp, len);
          } else {
            // Straight from the request buffer into the page cache: no copy of the whole request.
            rw.write(n, offset, (src, dst, dstOff, l) -> buf.get(src, dst, dstOff, l), len);
          }
          return len;
        });
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    directHandles.remove(fi.fh.get());
    Node n = handles.remove(fi.fh.get());
    if (n == null) return 0;
    Integer left = openCounts.computeIfPresent(n, (k, v) -> v > 1 ? v - 1 : null);
    if (left != null || rw == null) return 0;
    return changing(
        "release",
        path,
        MountedWriter.ORPHAN_ITEMS,
        true,
        () -> {
          InodeItem i = n.inode();
          if (i != null && i.nlink() == 0) rw.ops(n.subvolume().id()).releaseOrphan(n.ino());
          return 0;
        });
  }

  // No flush(): close(2) promises no durability, and without the operation the kernel answers
  // FLUSH itself after the first ENOSYS, saving a round trip on every close and dup2.

  @Override
  public int fsync(String path, int isdatasync, FuseFileInfo fi) {
    if (rw == null) return 0;
    try {
      rw.commitLocked();
      return 0;
    } catch (Throwable t) {
      return Errno.of(t, "fsync", path);
    }
  }

  @Override
  public int fsyncdir(String path, FuseFileInfo fi) {
    return fsync(path, 0, fi);
  }

  @Override
  public int opendir(String path, FuseFileInfo fi) {
    return reading(
        "opendir",
        path,
        () -> {
          Node n = node(path);
          if (!FileType.isDir(inode(n).mode())) return -Errno.ENOTDIR;
          return 0;
        });
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
    return reading(
        "readdir",
        path,
        () -> {
          Node dir = node(path);
          if (rw != null && offset == 0) rw.accessed(dir);
          if (offset < 1 && fill(filler, buf, ".", ino(dir), FileType.DIR, 1)) return 0;
          if (offset < 2 && fill(filler, buf, "..", ino(node(parentOf(path))), FileType.DIR, 2))
            return 0;
          long from = Math.max(FIRST_INDEX, offset);
          while (true) {
            List<DirEntry> batch =
                Directories.list(dir.subvolume(), dir.ino(), from, READDIR_BATCH);
            if (batch.isEmpty()) return 0;
            for (DirEntry e : batch) {
              long ino = ino(paths.target(dir, e));
              if (fill(
                  filler,
                  buf,
                  new String(e.name(), StandardCharsets.UTF_8),
                  ino,
                  e.fileType(),
                  e.index() + 1)) {
                return 0;
              }
              from = e.index() + 1;
            }
          }
        });
  }

  /** Adds one entry; true when the kernel's buffer is full. */
  private boolean fill(
      FuseFillDir filler, Pointer buf, String name, long ino, int fileType, long nextOff) {
    FileStat st = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
    st.st_ino.set(ino);
    st.st_mode.set(FileModes.ofDirEntryType(fileType));
    return filler.apply(buf, name, st, nextOff) != 0;
  }

  @Override
  public int getxattr(String path, String name, Pointer value, long size) {
    return reading(
        "getxattr",
        path,
        () -> {
          Node n = node(path);
          NameRules.checkXattrName(name);
          byte[] v = Xattrs.get(n, name.getBytes(StandardCharsets.UTF_8));
          if (v == null) return -Errno.ENODATA;
          if (size == 0) return v.length;
          if (size < v.length) return -Errno.ERANGE;
          value.put(0, v, 0, v.length);
          return v.length;
        });
  }

  @Override
  public int listxattr(String path, Pointer list, long size) {
    return reading(
        "listxattr",
        path,
        () -> {
          ByteBuffer out = ByteBuffer.allocate(1 << 16);
          for (byte[] name : Xattrs.list(node(path))) {
            if (out.remaining() < name.length + 1) return -Errno.ERANGE;
            out.put(name).put((byte) 0);
          }
          int len = out.position();
          if (size == 0) return len;
          if (size < len) return -Errno.ERANGE;
          list.put(0, out.array(), 0, len);
          return len;
        });
  }

  @Override
  public int statfs(String path, Statvfs st) {
    return reading(
        "statfs",
        path,
        () -> {
          SpaceReport r = rw == null ? SpaceReport.compute(fs) : rw.space();
          int bsize = fs.sectorSize();
          st.f_bsize.set(bsize);
          st.f_frsize.set(bsize);
          st.f_blocks.set(r.totalBytes() / bsize);
          st.f_bfree.set(r.freeBytes() / bsize);
          st.f_bavail.set(r.availableBytes() / bsize);
          st.f_namemax.set(255);
          return 0;
        });
  }

  @Override
  public int access(String path, int mask) {
    return reading(
        "access",
        path,
        () -> {
          node(path);
          return (mask & W_OK) != 0 && rw == null ? -Errno.EROFS : 0;
        });
  }

  // ---- changes ----

  /** The directory node for the parent of {@code path}, checked to be in a writable subvolume. */
  private Node parentDir(String path) throws IOException {
    Node dir = node(parentOf(path));
    if (!FileType.isDir(inode(dir).mode()))
      throw new java.nio.file.NotDirectoryException(parentOf(path));
    return dir;
  }

  private int create(String op, String path, long mode, long rdev, FuseFileInfo fi) {
    return changing(
        op,
        path,
        CREATE_ITEMS,
        () -> {
          Node dir = parentDir(path);
          var ctx = getContext();
          InodeItem d = inode(dir);
          long gid = (d.mode() & FileModes.S_ISGID) != 0 ? d.gid() : ctx.gid.get();
          int m = (int) mode;
          if (FileType.isDir(m) && (d.mode() & FileModes.S_ISGID) != 0) m |= FileModes.S_ISGID;
          long ino =
              rw.ops(dir.subvolume().id())
                  .create(
                      dir.ino(), nameOf(path), m, ctx.uid.get(), gid, StatFiller.encodeRdev(rdev));
          if (fi != null) register(fi, new Node(dir.subvolume(), ino), fi.flags.get());
          return 0;
        });
  }

  @Override
  public int create(String path, long mode, FuseFileInfo fi) {
    return create("create", path, mode, 0, fi);
  }

  @Override
  public int mknod(String path, long mode, long rdev) {
    return create("mknod", path, mode, rdev, null);
  }

  @Override
  public int mkdir(String path, long mode) {
    return create("mkdir", path, (mode & 07777) | FileType.S_IFDIR, 0, null);
  }

  @Override
  public int symlink(String target, String path) {
    return changing(
        "symlink",
        path,
        SYMLINK_ITEMS,
        () -> {
          Node dir = parentDir(path);
          var ctx = getContext();
          rw.ops(dir.subvolume().id())
              .symlink(
                  dir.ino(),
                  nameOf(path),
                  target.getBytes(StandardCharsets.UTF_8),
                  ctx.uid.get(),
                  ctx.gid.get());
          return 0;
        });
  }

  @Override
  public int link(String oldpath, String newpath) {
    return changing(
        "link",
        newpath,
        LINK_ITEMS,
        () -> {
          Node n = node(oldpath);
          Node dir = parentDir(newpath);
          if (dir.subvolume().id() != n.subvolume().id()) return -Errno.EXDEV;
          rw.ops(dir.subvolume().id()).link(n.ino(), dir.ino(), nameOf(newpath));
          return 0;
        });
  }

  @Override
  public int unlink(String path) {
    return changing(
        "unlink",
        path,
        UNLINK_ITEMS,
        true,
        () -> {
          Node dir = parentDir(path);
          var ops = rw.ops(dir.subvolume().id());
          ops.setOpenFiles(ino -> openCounts.containsKey(new Node(dir.subvolume(), ino)));
          ops.unlink(dir.ino(), nameOf(path));
          paths.forget(path);
          return 0;
        });
  }

  @Override
  public int rmdir(String path) {
    return changing(
        "rmdir",
        path,
        UNLINK_ITEMS,
        true,
        () -> {
          Node dir = parentDir(path);
          rw.ops(dir.subvolume().id()).rmdir(dir.ino(), nameOf(path));
          paths.forgetTree(path);
          return 0;
        });
  }

  @Override
  public int rename(String oldpath, String newpath) {
    return changing(
        "rename",
        oldpath,
        RENAME_ITEMS,
        false,
        () -> {
          Node from = parentDir(oldpath);
          Node to = parentDir(newpath);
          if (from.subvolume().id() != to.subvolume().id()) return -Errno.EXDEV;
          var ops = rw.ops(from.subvolume().id());
          ops.setOpenFiles(ino -> openCounts.containsKey(new Node(from.subvolume(), ino)));
          ops.rename(from.ino(), nameOf(oldpath), to.ino(), nameOf(newpath));
          paths.forgetTree(oldpath);
          paths.forgetTree(newpath);
          return 0;
        });
  }

  @Override
  public int truncate(String path, long size) {
    return changing(
        "truncate",
        path,
        TRUNCATE_ITEMS,
        true,
        () -> {
          Node n = node(path);
          if (FileType.isDir(inode(n).mode())) return -Errno.EISDIR;
          rw.truncate(n, size);
          return 0;
        });
  }

  @Override
  public int ftruncate(String path, long size, FuseFileInfo fi) {
    Node n = handles.get(fi.fh.get());
    if (n == null) return truncate(path, size);
    return changing(
        "ftruncate",
        path,
        TRUNCATE_ITEMS,
        true,
        () -> {
          rw.truncate(n, size);
          return 0;
        });
  }

  @Override
  public int chmod(String path, long mode) {
    return changing(
        "chmod",
        path,
        SETATTR_ITEMS,
        () -> {
          Node n = node(path);
          InodeItem i = inode(n);
          rw.setattr(
              n,
              i.withOwner(i.uid(), i.gid(), (i.mode() & FileType.S_IFMT) | ((int) mode & 07777)));
          return 0;
        });
  }

  @Override
  public int chown(String path, long uid, long gid) {
    return changing(
        "chown",
        path,
        SETATTR_ITEMS,
        () -> {
          Node n = node(path);
          InodeItem i = inode(n);
          long u = uid == 0xffffffffL || uid == -1 ? i.uid() : uid;
          long g = gid == 0xffffffffL || gid == -1 ? i.gid() : gid;
          int mode = i.mode();
          // Like the kernel: a chown by anyone clears setuid, and setgid when group-executable.
          if (!FileType.isDir(mode)) {
            mode &= ~FileModes.S_ISUID;
            if ((mode & 010) != 0) mode &= ~FileModes.S_ISGID;
          }
          rw.setattr(n, i.withOwner(u, g, mode));
          return 0;
        });
  }

  @Override
  public int utimens(String path, Timespec[] timespec) {
    return changing(
        "utimens",
        path,
        SETATTR_ITEMS,
        () -> {
          Node n = node(path);
          InodeItem i = inode(n);
          org.jbtrfs.format.Timespec now = org.jbtrfs.format.Timespec.now();
          org.jbtrfs.format.Timespec a = FileModes.time(timespec[0], i.atime(), now);
          org.jbtrfs.format.Timespec m = FileModes.time(timespec[1], i.mtime(), now);
          rw.setattr(n, i.withTimes(a, now, m));
          return 0;
        });
  }

  @Override
  public int setxattr(String path, String name, Pointer value, long size, int flags) {
    return changing(
        "setxattr",
        path,
        XATTR_ITEMS,
        () -> {
          Node n = node(path);
          NameRules.checkXattrName(name);
          byte[] key = name.getBytes(StandardCharsets.UTF_8);
          boolean exists = Xattrs.get(n, key) != null;
          if ((flags & FileModes.XATTR_CREATE) != 0 && exists) return -Errno.EEXIST;
          if ((flags & FileModes.XATTR_REPLACE) != 0 && !exists) return -Errno.ENODATA;
          byte[] v = new byte[(int) size];
          value.get(0, v, 0, v.length);
          rw.ops(n.subvolume().id()).xattrs().set(n.ino(), key, v);
          return 0;
        });
  }

  @Override
  public int removexattr(String path, String name) {
    return changing(
        "removexattr",
        path,
        XATTR_ITEMS,
        false,
        () -> {
          Node n = node(path);
          NameRules.checkXattrName(name);
          boolean removed =
              rw.ops(n.subvolume().id())
                  .xattrs()
                  .remove(n.ino(), name.getBytes(StandardCharsets.UTF_8));
          return removed ? 0 : -Errno.ENODATA;
        });
  }

  @Override
  public int fallocate(String path, int mode, long offset, long length, FuseFileInfo fi) {
    Node h = handles.get(fi.fh.get());
    return changing(
        "fallocate",
        path,
        FALLOCATE_ITEMS,
        () -> {
          Node n = h != null ? h : node(path);
          return rw.fallocate(n, mode, offset, length);
        });
  }

  @Override
  public void destroy(Pointer initResult) {
    if (rw == null) return;
    try {
      rw.close();
    } catch (Throwable t) {
      Errno.of(t, "unmount commit", "/");
    }
  }
}
