package org.jbtrfs.fuse;

import java.io.IOException;
import java.util.List;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.DirEntry;
import org.jbtrfs.fs.Directories;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.space.GlobalReserveSize;

/** Names: lookup, the create family, link, unlink, rmdir, rename, readdir, readlink. */
final class NamespaceRequests {
  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(NamespaceRequests.class.getName());

  /**
   * Tree items each change touches at most (the kernel's transaction unit counts): what their
   * metadata reservation is sized by.
   */
  private static final int CREATE_ITEMS = 5;

  private static final int SYMLINK_ITEMS = 7;
  private static final int LINK_ITEMS = 5;
  private static final int UNLINK_ITEMS = GlobalReserveSize.UNLINK_METADATA_UNITS;
  private static final int RENAME_ITEMS = 11;

  /**
   * readdir positions: 1 and 2 follow "." and ".."; an entry with dir index i is followed by i+1.
   */
  private static final long FIRST_INDEX = 2;

  private static final int READDIR_BATCH = 256;

  private final FuseFs f;
  private final PathResolver paths;
  private final SubvolumeRemoval subvolumes;

  NamespaceRequests(FuseFs f, Node root) {
    this.subvolumes = new SubvolumeRemoval(f);
    this.f = f;
    this.paths = new PathResolver(f.fs, root);
  }

  int lookup(FuseRequest req, FuseReply out) {
    byte[] name = req.name(0);
    return f.reading(
        "lookup",
        req.nodeid(),
        () -> {
          // No directory holds these names: the kernel asks them of a node id to open a file
          // handle ("." the inode itself, ".." the directory it is in).
          if (isName(name, ".")) return self(req.nodeid(), out);
          if (isName(name, "..")) return parentEntry(req.nodeid(), out);
          NameRules.checkName(name);
          Node dir = f.node(req.nodeid());
          Node child = child(dir, name);
          return child == null ? f.negativeEntryReply(out) : f.entryReply(out, child, dir);
        });
  }

  private static boolean isName(byte[] name, String s) {
    return java.util.Arrays.equals(name, s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  }

  /**
   * LOOKUP "." of {@code nodeid}: its entry while its inode exists, else ENOENT (a stale handle).
   */
  private int self(long nodeid, FuseReply out) throws IOException {
    Node n = f.node(nodeid);
    InodeItem i = f.inode(n);
    // The kernel asks only for inodes it does not hold, and an open file pins its inode: one with
    // no name left is closed and gone, as on the kernel's btrfs, even while its RELEASE (sent in
    // the background) has not reached us yet.
    if (i.nlink() == 0) return -Errno.ENOENT;
    return f.entryReply(out, n, null, i);
  }

  /** LOOKUP "..": the entry of the directory {@code nodeid} is in (the root's is the root). */
  private int parentEntry(long nodeid, FuseReply out) throws IOException {
    Node parent = f.parent(nodeid, f.node(nodeid));
    if (parent == null) return -Errno.ENOENT;
    return f.entryReply(out, parent, null);
  }

  /** The node {@code name} in {@code dir} leads to, or null. */
  private Node child(Node dir, byte[] name) throws IOException {
    return paths.child(dir, name);
  }

  private Node target(Node dir, DirEntry e) throws IOException {
    return paths.target(dir, e);
  }

  /** The directory node {@code nodeid}, checked to be one. */
  private Node dir(long nodeid) throws IOException {
    Node dir = f.node(nodeid);
    if (!FileType.isDir(f.inode(dir).mode()))
      throw new java.nio.file.NotDirectoryException("node " + nodeid);
    return dir;
  }

  int mknod(FuseRequest req, FuseReply out) {
    // struct fuse_mknod_in { mode, rdev, umask, padding } then the name
    int mode = req.u32(0);
    long rdev = req.u32(4) & 0xffffffffL;
    return create("mknod", req, out, mode, req.u32(8), rdev, req.name(16), null);
  }

  int mkdir(FuseRequest req, FuseReply out) {
    // struct fuse_mkdir_in { mode, umask } then the name
    int mode = (req.u32(0) & 07777) | FileType.S_IFDIR;
    return create("mkdir", req, out, mode, req.u32(4), 0, req.name(8), null);
  }

  /**
   * Creates {@code name} in the request's directory and answers with its entry; with {@code opened}
   * it is also opened (CREATE), and opened[0] gets the handle's node. {@code umask} is the
   * creator's, applied unless the directory has a default ACL.
   */
  int create(
      String op,
      FuseRequest req,
      FuseReply out,
      int mode,
      int umask,
      long rdev,
      byte[] name,
      Node[] opened) {
    return f.changing(
        op,
        req.nodeid(),
        CREATE_ITEMS,
        false,
        () -> {
          Node dir = dir(req.nodeid());
          InodeItem d = f.inode(dir);
          InodeFlagRules.checkCreateIn(d);
          long gid = newGid(req, d);
          int m = mode;
          // A setgid directory hands its setgid bit to subdirectories too.
          if (FileType.isDir(m) && (d.mode() & FileModes.S_ISGID) != 0) m |= FileModes.S_ISGID;
          long ino =
              f.rw
                  .ops(dir.subvolume().id())
                  .create(
                      dir.ino(),
                      name,
                      m,
                      umask,
                      req.uid() & 0xffffffffL,
                      gid,
                      org.jbtrfs.format.DeviceNumbers.toDisk(rdev));
          Node created = new Node(dir.subvolume(), ino);
          if (opened != null) opened[0] = created;
          return f.entryReply(out, created, dir);
        });
  }

  /** The group of an inode the caller creates in {@code dir}: a setgid directory's own. */
  private static long newGid(FuseRequest req, InodeItem dir) {
    return (dir.mode() & FileModes.S_ISGID) != 0 ? dir.gid() : req.gid() & 0xffffffffL;
  }

  /** The unnamed regular file of O_TMPFILE in the request's directory, answered as an entry. */
  int tmpfile(FuseRequest req, FuseReply out, int mode, int umask, Node[] opened) {
    return f.changing(
        "tmpfile",
        req.nodeid(),
        CREATE_ITEMS,
        false,
        () -> {
          Node dir = dir(req.nodeid());
          InodeItem d = f.inode(dir);
          InodeFlagRules.checkCreateIn(d);
          long gid = newGid(req, d);
          long ino =
              f.rw
                  .ops(dir.subvolume().id())
                  .createTmpfile(dir.ino(), mode, umask, req.uid() & 0xffffffffL, gid);
          Node created = new Node(dir.subvolume(), ino);
          opened[0] = created;
          return f.entryReply(out, created, dir);
        });
  }

  int symlink(FuseRequest req, FuseReply out) {
    byte[] name = req.name(0);
    byte[] target = req.name(req.afterName(0));
    return f.changing(
        "symlink",
        req.nodeid(),
        SYMLINK_ITEMS,
        false,
        () -> {
          Node dir = dir(req.nodeid());
          InodeFlagRules.checkCreateIn(f.inode(dir));
          long ino =
              f.rw
                  .ops(dir.subvolume().id())
                  .symlink(
                      dir.ino(), name, target, req.uid() & 0xffffffffL, req.gid() & 0xffffffffL);
          return f.entryReply(out, new Node(dir.subvolume(), ino), dir);
        });
  }

  int link(FuseRequest req, FuseReply out) {
    long oldNode = req.u64(0);
    byte[] name = req.name(8);
    return f.changing(
        "link",
        req.nodeid(),
        LINK_ITEMS,
        false,
        () -> {
          Node n = f.node(oldNode);
          Node dir = dir(req.nodeid());
          if (dir.subvolume().id() != n.subvolume().id()) return -Errno.EXDEV;
          InodeFlagRules.checkLink(f.inode(n));
          InodeFlagRules.checkCreateIn(f.inode(dir));
          f.rw.ops(dir.subvolume().id()).link(n.ino(), dir.ino(), name);
          return f.entryReply(out, n, dir);
        });
  }

  int unlink(FuseRequest req, FuseReply out) {
    byte[] name = req.name(0);
    return f.changing(
        "unlink",
        req.nodeid(),
        UNLINK_ITEMS,
        true,
        () -> {
          Node dir = dir(req.nodeid());
          Node victim = checkDelete(dir, name);
          if (victim != null) f.dropsLink(out, victim, req.pid());
          var ops = f.rw.ops(dir.subvolume().id());
          ops.setOpenFiles(ino -> f.isOpen(new Node(dir.subvolume(), ino)));
          ops.unlink(dir.ino(), name);
          return 0;
        });
  }

  /**
   * An entry that exists may go only if neither it nor its directory is protected (+i, +a). Returns
   * the node the entry leads to, or null when there is none.
   */
  private Node checkDelete(Node dir, byte[] name) throws IOException {
    Node victim = child(dir, name);
    if (victim != null) InodeFlagRules.checkDelete(f.inode(dir), f.inode(victim));
    return victim;
  }

  /** OPENDIR: a handle that bounds its listing (see FuseFs.DirListing) and keeps the dir alive. */
  int opendir(FuseRequest req, FuseReply out) {
    return f.reading(
        "opendir",
        req.nodeid(),
        () -> {
          Node dir = dir(req.nodeid());
          long last = Directories.lastIndex(dir.subvolume(), dir.ino());
          long fh = f.open(dir, false, new FuseFs.DirListing(last));
          out.u64(fh).u32(0).u32(0); // struct fuse_open_out { fh, open_flags, padding }
          return 0;
        });
  }

  int rmdir(FuseRequest req) {
    byte[] name = req.name(0);
    return f.changing(
        "rmdir",
        req.nodeid(),
        UNLINK_ITEMS,
        true,
        () -> {
          Node dir = dir(req.nodeid());
          checkDelete(dir, name);
          Node victim = child(dir, name);
          if (victim != null
              && (victim.isPlaceholder() || victim.subvolume().id() != dir.subvolume().id())) {
            return subvolumes.rmdir(dir, name, victim);
          }
          var ops = f.rw.ops(dir.subvolume().id());
          ops.setOpenFiles(ino -> f.isOpen(new Node(dir.subvolume(), ino)));
          ops.rmdir(dir.ino(), name);
          return 0;
        });
  }

  private static final int RENAME_EXCHANGE = 2;
  private static final int RENAME_WHITEOUT = 4;

  int rename(FuseRequest req, FuseReply out, boolean withFlags) {
    // struct fuse_rename_in { newdir } or fuse_rename2_in { newdir, flags, padding }, two names
    long newDir = req.u64(0);
    int flags = withFlags ? req.u32(8) : 0;
    int namesAt = withFlags ? 16 : 8;
    byte[] oldName = req.name(namesAt);
    byte[] newName = req.name(req.afterName(namesAt));
    boolean exchange = (flags & RENAME_EXCHANGE) != 0;
    boolean whiteout = (flags & RENAME_WHITEOUT) != 0;
    if ((flags & ~(FuseProtocol.RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) != 0
        || (exchange && flags != RENAME_EXCHANGE)) {
      return -Errno.EINVAL;
    }
    return f.changing(
        "rename",
        req.nodeid(),
        whiteout ? RENAME_ITEMS + CREATE_ITEMS : RENAME_ITEMS,
        false,
        () -> {
          Node from = dir(req.nodeid());
          Node to = dir(newDir);
          Node moving = child(from, oldName);
          if (moving == null) return -Errno.ENOENT;
          Node replaced = child(to, newName);
          if ((flags & FuseProtocol.RENAME_NOREPLACE) != 0 && replaced != null)
            return -Errno.EEXIST;
          if (exchange && replaced == null) return -Errno.ENOENT;
          // A subvolume's top directory may move between subvolumes; nothing else may.
          if (moving.isPlaceholder() || moving.subvolume().id() != from.subvolume().id()) {
            if (exchange || whiteout) return -Errno.EOPNOTSUPP;
            return subvolumes.rename(from, oldName, to, newName, moving, replaced);
          }
          if (from.subvolume().id() != to.subvolume().id()) return -Errno.EXDEV;
          if (exchange
              && (replaced.isPlaceholder() || replaced.subvolume().id() != to.subvolume().id())) {
            return -Errno.EOPNOTSUPP;
          }
          InodeItem movingInode = f.inode(moving);
          InodeFlagRules.checkDelete(f.inode(from), movingInode);
          if (replaced != null) InodeFlagRules.checkDelete(f.inode(to), f.inode(replaced));
          else InodeFlagRules.checkCreateIn(f.inode(to));
          if (FileType.isDir(movingInode.mode()) && from.ino() != to.ino())
            InodeFlagRules.checkMovedDir(movingInode);
          var ops = f.rw.ops(from.subvolume().id());
          ops.setOpenFiles(ino -> f.isOpen(new Node(from.subvolume(), ino)));
          if (exchange) {
            InodeItem other = f.inode(replaced);
            if (FileType.isDir(other.mode()) && from.ino() != to.ino())
              InodeFlagRules.checkMovedDir(other);
            ops.exchange(from.ino(), oldName, to.ino(), newName);
            f.nodes.moved(moving, to);
            f.nodes.moved(replaced, from);
            return 0;
          }
          if (replaced != null) f.dropsLink(out, replaced, req.pid());
          ops.rename(from.ino(), oldName, to.ino(), newName);
          f.nodes.moved(moving, to);
          if (whiteout) {
            // The kernel's whiteout: a character device 0:0 owned by the caller, left behind.
            long gid = newGid(req, f.inode(from));
            ops.create(from.ino(), oldName, FileType.S_IFCHR, req.uid() & 0xffffffffL, gid, 0);
          }
          return 0;
        });
  }

  /**
   * READDIR, or READDIRPLUS ({@code plus}) whose entries also carry what a LOOKUP of each name
   * would answer (and count as one, except "." and "..", which the kernel does not take).
   */
  int readdir(FuseRequest req, FuseReply out, boolean plus) {
    // struct fuse_read_in { fh, offset, size, ... }
    FuseFs.Handle h = f.handle(req.u64(0));
    FuseFs.DirListing listing = h == null ? null : h.listing();
    long offset = req.u64(8);
    int size = Math.min(req.u32(16), out.room());
    long nodeid = req.nodeid();
    return f.reading(
        "readdir",
        nodeid,
        () -> {
          Node dir = dir(nodeid);
          if (offset == 0) f.accessed(nodeid, dir);
          long last = Long.MAX_VALUE;
          if (listing != null) {
            // A rewind (offset 0 again on a handle that has listed) sees entries added since.
            if (offset == 0 && listing.started)
              listing.lastIndex = Directories.lastIndex(dir.subvolume(), dir.ino());
            listing.started = true;
            last = listing.lastIndex;
          }
          Listing l = new Listing(out, out.position() + size, plus, dir);
          byte[] dot = {'.'};
          if (offset < 1 && !l.add(dot, f.ino(dir), null, FileType.DIR, 1)) return 0;
          Node parent = f.parent(nodeid, dir);
          long parentIno = f.ino(parent == null ? dir : parent);
          if (offset < 2 && !l.add(new byte[] {'.', '.'}, parentIno, null, FileType.DIR, 2))
            return 0;
          long from = Math.max(FIRST_INDEX, offset);
          while (true) {
            List<DirEntry> batch =
                Directories.list(dir.subvolume(), dir.ino(), from, READDIR_BATCH);
            if (batch.isEmpty()) return 0;
            for (DirEntry e : batch) {
              if (Long.compareUnsigned(e.index(), last) > 0) return 0;
              Node child = target(dir, e);
              if (!l.add(e.name(), f.ino(child), child, e.fileType(), e.index() + 1)) return 0;
              from = e.index() + 1;
            }
          }
        });
  }

  /** Appends directory entries to a reply until the kernel's buffer is full. */
  private final class Listing {
    private final FuseReply out;
    private final int limit;
    private final boolean plus;
    private final Node dir;

    Listing(FuseReply out, int limit, boolean plus, Node dir) {
      this.out = out;
      this.limit = limit;
      this.plus = plus;
      this.dir = dir;
    }

    /**
     * Appends a struct fuse_dirent (with its struct fuse_entry_out first when {@code plus}); false,
     * appending nothing, when it does not fit. {@code child} is null for "." and "..".
     */
    boolean add(byte[] name, long ino, Node child, int fileType, long next) throws IOException {
      int head = plus ? FuseProtocol.ENTRY_OUT : 0;
      int len = (int) Align.up(head + FuseProtocol.DIRENT_HEADER + name.length, 8);
      if (out.position() + len > limit) return false;
      if (plus) {
        InodeItem i = child == null ? null : inodeOrNull(child);
        if (i == null) {
          // No attributes: the kernel lists the name and looks it up when it is used, so one
          // unreadable inode fails its own stat, not the listing of its directory (as in the
          // kernel's btrfs, whose readdir reads no inodes).
          out.zeros(FuseProtocol.ENTRY_OUT);
        } else {
          f.entryReply(out, child, dir, i);
        }
      }
      out.u64(ino).u64(next).u32(name.length).u32(FileModes.direntType(fileType));
      out.bytes(name, 0, name.length).align8();
      return true;
    }
  }

  private InodeItem inodeOrNull(Node child) {
    try {
      return f.inode(child);
    } catch (IOException e) {
      LOG.warning("readdirplus: no attributes for " + child + ": " + e.getMessage());
      return null;
    }
  }

  int readlink(FuseRequest req, FuseReply out) {
    return f.reading(
        "readlink",
        req.nodeid(),
        () -> {
          Node n = f.node(req.nodeid());
          InodeItem inode = f.inode(n);
          if (!FileType.isSymlink(inode.mode())) return -Errno.EINVAL;
          byte[] target = FileReader.readLink(n, inode);
          f.accessed(req.nodeid(), n);
          out.bytes(target, 0, target.length);
          return 0;
        });
  }
}
