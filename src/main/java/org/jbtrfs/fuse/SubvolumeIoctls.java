package org.jbtrfs.fuse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.write.FsError;
import org.jbtrfs.fs.write.SubvolumeCreation;
import org.jbtrfs.fs.write.SubvolumeSettings;

/**
 * The kernel's own subvolume ioctls, issued on the directory that receives the new subvolume
 * (btrfs-progs' `subvolume create` and `snapshot` issue exactly these; `jbtrfs subvolume` does on a
 * jbtrfs mount, where btrfs-progs refuses to run): BTRFS_IOC_SUBVOL_CREATE(_V2) and
 * BTRFS_IOC_SNAP_CREATE(_V2), and BTRFS_IOC_SNAP_DESTROY(_V2). A snapshot's source arrives as a
 * file descriptor of the calling process, found through /proc/PID/fd. Each commits what was
 * pending, makes the subvolume alone in the next transaction and commits it, as the kernel does.
 */
final class SubvolumeIoctls {
  /** _IOW(0x94, nr, 4096-byte struct): the argument structures are 4 KiB. */
  static final int SNAP_CREATE = 0x50009401;

  static final int SUBVOL_CREATE = 0x5000940e;
  static final int SNAP_CREATE_V2 = 0x50009417;
  static final int SUBVOL_CREATE_V2 = 0x50009418;
  static final int SNAP_DESTROY = 0x5000940f;
  static final int SUBVOL_GETFLAGS = 0x80089419;
  static final int SUBVOL_SETFLAGS = 0x4008941a;
  static final int SNAP_DESTROY_V2 = 0x5000943f;

  /** _IOW(0x94, 19, __u64): the default subvolume's id. */
  static final int DEFAULT_SUBVOL = 0x40089413;

  /** struct btrfs_ioctl_vol_args { __s64 fd; char name[4088]; }. */
  private static final int V1_NAME = 8;

  private static final int V1_NAME_MAX = 4088;

  /** struct btrfs_ioctl_vol_args_v2 { fd, transid, flags, union[32 bytes], name[4040] }. */
  private static final int V2_FLAGS = 16;

  private static final int V2_NAME = 56;
  private static final int V2_NAME_MAX = 4040;
  private static final int ARGS_SIZE = 4096;

  private static final long SUBVOL_RDONLY = 1L << 1;
  private static final long SUBVOL_SPEC_BY_ID = 1L << 4;

  /**
   * Tree items a new subvolume touches: root item, two root refs, two directory items, the parent's
   * inode, the uuid tree, and the new tree's top inode and its ref.
   */
  private static final int RESERVED_ITEMS = 9;

  private final FuseFs f;
  private final SubvolumeRemoval removal;

  SubvolumeIoctls(FuseFs f) {
    this.f = f;
    this.removal = new SubvolumeRemoval(f);
  }

  static boolean handles(int cmd) {
    return cmd == SNAP_CREATE
        || cmd == SUBVOL_CREATE
        || cmd == SNAP_CREATE_V2
        || cmd == SUBVOL_CREATE_V2
        || cmd == SNAP_DESTROY
        || cmd == SNAP_DESTROY_V2
        || cmd == SUBVOL_GETFLAGS
        || cmd == SUBVOL_SETFLAGS
        || cmd == DEFAULT_SUBVOL;
  }

  int ioctl(FuseRequest req, FuseReply out, int cmd, int inSize) {
    if (cmd == SUBVOL_GETFLAGS) return getFlags(req, out);
    if (cmd == SUBVOL_SETFLAGS) return inSize < 8 ? -Errno.EINVAL : setFlags(req, out);
    if (f.rw == null) return -Errno.EROFS;
    if (cmd == DEFAULT_SUBVOL) return inSize < 8 ? -Errno.EINVAL : setDefault(req, out);
    if (inSize < ARGS_SIZE) return -Errno.EINVAL;
    if (cmd == SNAP_DESTROY || cmd == SNAP_DESTROY_V2) return destroy(req, out, cmd);
    boolean v2 = cmd == SNAP_CREATE_V2 || cmd == SUBVOL_CREATE_V2;
    boolean snapshot = cmd == SNAP_CREATE || cmd == SNAP_CREATE_V2;
    long flags = v2 ? req.u64(FuseProtocol.IOCTL_IN_DATA + V2_FLAGS) : 0;
    // Quotas are not supported: a qgroup to inherit is refused rather than ignored.
    if ((flags & ~SUBVOL_RDONLY) != 0) return -Errno.EOPNOTSUPP;
    byte[] name = name(req, v2 ? V2_NAME : V1_NAME, v2 ? V2_NAME_MAX : V1_NAME_MAX);
    if (name == null) return -Errno.ENAMETOOLONG;
    if (name.length == 0 || isDotOrDotDot(name) || contains(name, (byte) '/')) {
      return -Errno.EINVAL;
    }
    long sourceId = 0;
    if (snapshot) {
      // Resolved before any lock: stat of the descriptor may itself ask this daemon (GETATTR).
      try {
        sourceId = sourceSubvolume(req.pid(), req.u64(FuseProtocol.IOCTL_IN_DATA), req.uid());
      } catch (Throwable t) {
        return Errno.of(t, "ioctl", "snapshot source");
      }
    }
    long source = sourceId;
    long nodeid = req.nodeid();
    int r =
        f.changing(
            "ioctl",
            nodeid,
            RESERVED_ITEMS,
            false,
            () -> {
              Node dir = f.node(nodeid);
              InodeItem d = f.inode(dir);
              if ((d.mode() & FileType.S_IFMT) != FileType.S_IFDIR) return -Errno.ENOTDIR;
              if (dir.isPlaceholder()) return -Errno.EPERM;
              if (req.uid() != 0 && !ownerMayWrite(d, req.uid())) return -Errno.EACCES;
              var dest = new SubvolumeCreation.Destination(dir.subvolume().id(), dir.ino(), name);
              f.rw.committedAlone(
                  engine -> {
                    SubvolumeCreation c = new SubvolumeCreation(engine);
                    return snapshot
                        ? c.snapshot(source, dest, (flags & SUBVOL_RDONLY) != 0)
                        : c.create(dest, req.uid(), req.gid());
                  });
              out.ioctlDone();
              return 0;
            });
    if (r == 0) f.invalidateEntry(nodeid, name);
    return r;
  }

  /**
   * BTRFS_IOC_DEFAULT_SUBVOL, as the kernel's: root makes subvolume N (0: the top level) the one
   * mounted without subvol= or subvolid=; committed at once.
   */
  private int setDefault(FuseRequest req, FuseReply out) {
    if (req.uid() != 0) return -Errno.EPERM;
    long given = req.u64(FuseProtocol.IOCTL_IN_DATA);
    long id = given == 0 ? ObjectIds.FS_TREE : given;
    if (!ObjectIds.isFsTree(id)) return -Errno.ENOENT;
    return f.changing(
        "ioctl",
        req.nodeid(),
        RESERVED_ITEMS,
        false,
        () -> {
          f.rw.committedAlone(
              engine -> {
                new SubvolumeSettings(engine).setDefault(id);
                return null;
              });
          out.ioctlDone();
          return 0;
        });
  }

  /** BTRFS_IOC_SUBVOL_GETFLAGS on a subvolume's top directory: its read-only flag. */
  private int getFlags(FuseRequest req, FuseReply out) {
    return f.reading(
        "ioctl",
        req.nodeid(),
        () -> {
          Node n = f.node(req.nodeid());
          if (!n.isSubvolumeTop()) return -Errno.EINVAL;
          out.ioctlDone();
          out.u64(n.subvolume().isReadOnly() ? SUBVOL_RDONLY : 0);
          return 0;
        });
  }

  /**
   * BTRFS_IOC_SUBVOL_SETFLAGS, as the kernel's: the owner of the subvolume's top directory (or
   * root) sets or clears its read-only flag, which is committed at once.
   */
  private int setFlags(FuseRequest req, FuseReply out) {
    long flags = req.u64(FuseProtocol.IOCTL_IN_DATA);
    if ((flags & 1) != 0) return -Errno.EINVAL; // BTRFS_SUBVOL_CREATE_ASYNC, long gone
    if ((flags & ~SUBVOL_RDONLY) != 0) return -Errno.EOPNOTSUPP;
    boolean readOnly = (flags & SUBVOL_RDONLY) != 0;
    return f.changing(
        "ioctl",
        req.nodeid(),
        RESERVED_ITEMS,
        false,
        () -> {
          Node n = f.node(req.nodeid());
          if (req.uid() != 0 && f.inode(n).uid() != req.uid()) return -Errno.EPERM;
          if (!n.isSubvolumeTop()) return -Errno.EINVAL;
          out.ioctlDone();
          if (n.subvolume().isReadOnly() == readOnly) return 0;
          f.rw.committedAlone(
              engine -> {
                new SubvolumeSettings(engine).setReadOnly(n.subvolume().id(), readOnly);
                return null;
              });
          return 0;
        });
  }

  /**
   * BTRFS_IOC_SNAP_DESTROY(_V2): the subvolume linked as the name in the ioctl's directory, or (V2
   * with SPEC_BY_ID) the one with that id. Only root may, as on a kernel mount without
   * user_subvol_rm_allowed.
   */
  private int destroy(FuseRequest req, FuseReply out, int cmd) {
    boolean v2 = cmd == SNAP_DESTROY_V2;
    long flags = v2 ? req.u64(FuseProtocol.IOCTL_IN_DATA + V2_FLAGS) : 0;
    if ((flags & ~SUBVOL_SPEC_BY_ID) != 0) return -Errno.EOPNOTSUPP;
    if (req.uid() != 0) return -Errno.EPERM;
    boolean byId = (flags & SUBVOL_SPEC_BY_ID) != 0;
    byte[] name =
        byId ? new byte[0] : name(req, v2 ? V2_NAME : V1_NAME, v2 ? V2_NAME_MAX : V1_NAME_MAX);
    if (name == null) return -Errno.ENAMETOOLONG;
    long byIdValue = byId ? req.u64(FuseProtocol.IOCTL_IN_DATA + V2_NAME) : 0;
    long nodeid = req.nodeid();
    int r =
        f.changing(
            "ioctl",
            nodeid,
            RESERVED_ITEMS,
            true,
            () -> {
              long id = byIdValue;
              if (!byId) {
                Node dir = f.node(nodeid);
                Node victim = new PathResolver(f.fs, dir).child(dir, name);
                if (victim == null) return -Errno.ENOENT;
                // The kernel deletes only a subvolume's top directory by name.
                if (victim.isPlaceholder() || victim.subvolume().id() == dir.subvolume().id()) {
                  return -Errno.EINVAL;
                }
                id = victim.subvolume().id();
              }
              int res = removal.delete(id);
              out.ioctlDone();
              return res;
            });
    if (r == 0 && !byId) f.invalidateEntry(nodeid, name);
    return r;
  }

  /**
   * The subvolume the caller's descriptor {@code fd} is open in. The kernel answers EXDEV for a
   * source on another filesystem and lets only its owner (or root) snapshot it.
   */
  private long sourceSubvolume(int pid, long fd, int uid) throws IOException {
    Path link = Path.of("/proc", Integer.toString(pid), "fd", Long.toString(fd));
    Map<String, Object> st = Files.readAttributes(link, "unix:dev,ino,uid");
    long dev = (Long) st.get("dev");
    if (f.deviceNumber == 0 || dev != f.deviceNumber) {
      throw new FsError(FsError.EXDEV, "the snapshot source is not on this filesystem");
    }
    Node n;
    try {
      n = f.nodeOfIno((Long) st.get("ino"));
    } catch (IOException e) {
      n = null; // an inode number naming no subvolume of this filesystem
    }
    // As the kernel: any inode stands for the subvolume it is in (btrfs-progs checks first that
    // the source is a subvolume's top directory).
    if (n == null || n.isPlaceholder()) {
      throw new FsError(FsError.EINVAL, "the snapshot source is not in a subvolume");
    }
    if (uid != 0 && (Integer) st.get("uid") != uid) {
      throw new FsError(FsError.EPERM, "only the owner of a subvolume may snapshot it");
    }
    return n.subvolume().id();
  }

  private static boolean ownerMayWrite(InodeItem d, int uid) {
    return d.uid() == uid && (d.mode() & 0300) == 0300;
  }

  /** The NUL-terminated name at {@code off} of the argument, or null when it has no NUL. */
  private static byte[] name(FuseRequest req, int off, int max) {
    byte[] b = req.bytes(FuseProtocol.IOCTL_IN_DATA + off, max);
    for (int i = 0; i < b.length; i++) {
      if (b[i] == 0) return java.util.Arrays.copyOf(b, i);
    }
    return null;
  }

  private static boolean isDotOrDotDot(byte[] n) {
    String s = new String(n, StandardCharsets.UTF_8);
    return s.equals(".") || s.equals("..");
  }

  private static boolean contains(byte[] b, byte c) {
    for (byte x : b) if (x == c) return true;
    return false;
  }
}
