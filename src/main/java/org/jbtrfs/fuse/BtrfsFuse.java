package org.jbtrfs.fuse;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
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
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/** The FUSE front end: POSIX calls on paths, answered from the filesystem's trees. */
public final class BtrfsFuse extends FuseStubFS {
  private static final int O_ACCMODE = 3;
  private static final int W_OK = 2;
  /** readdir positions: 1 and 2 follow "." and ".."; an entry with dir index i is followed by i+1. */
  private static final long FIRST_INDEX = 2;
  private static final int READDIR_BATCH = 256;

  private final Filesystem fs;
  private final PathResolver paths;
  private final Map<Long, OpenFile> handles = new ConcurrentHashMap<>();
  private final AtomicLong nextHandle = new AtomicLong(1);

  public BtrfsFuse(Filesystem fs, Node root) {
    this.fs = fs;
    this.paths = new PathResolver(fs, root);
  }

  private interface Op {
    int run() throws IOException;
  }

  private static int guard(String op, String path, Op body) {
    try {
      return body.run();
    } catch (Throwable t) {
      return Errno.of(t, op, path);
    }
  }

  private Node node(String path) throws IOException {
    Node n = paths.resolve(path);
    if (n == null) throw new FileNotFoundException(path);
    return n;
  }

  private static InodeItem inode(Node n) throws IOException {
    InodeItem i = n.inode();
    if (i == null) throw new FileNotFoundException("inode " + n + " has no inode item");
    return i;
  }

  @Override
  public int getattr(String path, FileStat stat) {
    return guard("getattr", path, () -> {
      Node n = node(path);
      StatFiller.fill(stat, ino(n), inode(n), fs.sectorSize());
      return 0;
    });
  }

  @Override
  public int fgetattr(String path, FileStat stat, FuseFileInfo fi) {
    OpenFile f = handles.get(fi.fh.get());
    if (f == null) return getattr(path, stat);
    StatFiller.fill(stat, ino(f.node()), f.inode(), fs.sectorSize());
    return 0;
  }

  @Override
  public int readlink(String path, Pointer buf, long size) {
    return guard("readlink", path, () -> {
      Node n = node(path);
      InodeItem inode = inode(n);
      if (!FileType.isSymlink(inode.mode())) return -Errno.EINVAL;
      byte[] target = FileReader.readLink(n, inode);
      int len = (int) Math.min(target.length, size - 1);
      buf.put(0, target, 0, len);
      buf.putByte(len, (byte) 0);
      return 0;
    });
  }

  @Override
  public int open(String path, FuseFileInfo fi) {
    return guard("open", path, () -> {
      if ((fi.flags.get() & O_ACCMODE) != 0 && fs.options().readOnly()) return -Errno.EROFS;
      Node n = node(path);
      InodeItem inode = inode(n);
      if (FileType.isDir(inode.mode())) return -Errno.EISDIR;
      long fh = nextHandle.getAndIncrement();
      handles.put(fh, new OpenFile(n, inode));
      fi.fh.set(fh);
      return 0;
    });
  }

  @Override
  public int read(String path, Pointer buf, long size, long offset, FuseFileInfo fi) {
    return guard("read", path, () -> {
      OpenFile f = handles.get(fi.fh.get());
      if (f == null) return -Errno.EBADF;
      int len = (int) Math.min(size, 1 << 24);
      byte[] tmp = new byte[len];
      int got = FileReader.read(f.node(), f.inode(), offset, tmp, 0, len);
      buf.put(0, tmp, 0, got);
      return got;
    });
  }

  @Override
  public int release(String path, FuseFileInfo fi) {
    handles.remove(fi.fh.get());
    return 0;
  }

  @Override
  public int opendir(String path, FuseFileInfo fi) {
    return guard("opendir", path, () -> {
      Node n = node(path);
      if (!FileType.isDir(inode(n).mode())) return -Errno.ENOTDIR;
      return 0;
    });
  }

  @Override
  public int readdir(String path, Pointer buf, FuseFillDir filler, long offset, FuseFileInfo fi) {
    return guard("readdir", path, () -> {
      Node dir = node(path);
      if (offset < 1 && fill(filler, buf, ".", ino(dir), FileType.DIR, 1)) return 0;
      if (offset < 2 && fill(filler, buf, "..", ino(node(parentOf(path))), FileType.DIR, 2)) return 0;
      long from = Math.max(FIRST_INDEX, offset);
      while (true) {
        List<DirEntry> batch = Directories.list(dir.subvolume(), dir.ino(), from, READDIR_BATCH);
        if (batch.isEmpty()) return 0;
        for (DirEntry e : batch) {
          long ino = ino(paths.target(dir, e));
          if (fill(filler, buf, new String(e.name(), StandardCharsets.UTF_8), ino, e.fileType(), e.index() + 1)) {
            return 0;
          }
          from = e.index() + 1;
        }
      }
    });
  }

  private long ino(Node n) {
    return InodeNumbers.of(n, paths.root().subvolume().id());
  }

  private static String parentOf(String path) {
    int slash = path.lastIndexOf('/');
    return slash <= 0 ? "/" : path.substring(0, slash);
  }

  /** Adds one entry; true when the kernel's buffer is full. */
  private boolean fill(FuseFillDir filler, Pointer buf, String name, long ino, int fileType, long nextOff) {
    FileStat st = new FileStat(jnr.ffi.Runtime.getSystemRuntime());
    st.st_ino.set(ino);
    st.st_mode.set(modeOfType(fileType));
    return filler.apply(buf, name, st, nextOff) != 0;
  }

  private static int modeOfType(int fileType) {
    return switch (fileType) {
      case FileType.REG -> FileType.S_IFREG;
      case FileType.DIR -> FileType.S_IFDIR;
      case FileType.CHRDEV -> FileType.S_IFCHR;
      case FileType.BLKDEV -> FileType.S_IFBLK;
      case FileType.FIFO -> FileType.S_IFIFO;
      case FileType.SOCK -> FileType.S_IFSOCK;
      case FileType.SYMLINK -> FileType.S_IFLNK;
      default -> 0;
    };
  }

  @Override
  public int getxattr(String path, String name, Pointer value, long size) {
    return guard("getxattr", path, () -> {
      byte[] v = Xattrs.get(node(path), name.getBytes(StandardCharsets.UTF_8));
      if (v == null) return -Errno.ENODATA;
      if (size == 0) return v.length;
      if (size < v.length) return -Errno.ERANGE;
      value.put(0, v, 0, v.length);
      return v.length;
    });
  }

  @Override
  public int listxattr(String path, Pointer list, long size) {
    return guard("listxattr", path, () -> {
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
    return guard("statfs", path, () -> {
      SpaceReport r = SpaceReport.compute(fs);
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
    return guard("access", path, () -> {
      node(path);
      return (mask & W_OK) != 0 && fs.options().readOnly() ? -Errno.EROFS : 0;
    });
  }
}
