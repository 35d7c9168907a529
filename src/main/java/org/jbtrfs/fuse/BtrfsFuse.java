package org.jbtrfs.fuse;

import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.write.MountedWriter;

/**
 * The FUSE front end: answers the kernel's requests, addressed by node id, from the filesystem's
 * trees. With a {@link MountedWriter} the mount is read-write: changes take its write lock, reads
 * its read lock.
 */
public final class BtrfsFuse implements FuseSession.Handler {
  private final FuseFs f;
  private final NamespaceRequests names;
  private final FileRequests files;
  private final CopyRangeRequests copies;
  private final XattrRequests xattrs;
  private final IoctlRequests ioctls;

  /** {@code acl}: POSIX ACLs decide access (the kernel's btrfs default; false with noacl). */
  public BtrfsFuse(Filesystem fs, Node root, MountedWriter rw, boolean acl) {
    this.f = new FuseFs(fs, root, rw, acl);
    this.names = new NamespaceRequests(f, root);
    this.files = new FileRequests(f);
    this.copies = new CopyRangeRequests(f);
    this.xattrs = new XattrRequests(f);
    this.ioctls = new IoctlRequests(f);
  }

  private Runnable release = () -> {};

  /** Connects to the session; {@code release} is the mount's final work (see {@link #destroy}). */
  void attach(FuseSession s, Runnable release) {
    f.attach(s);
    this.release = release;
  }

  /** Goes on with a balance the last mount left, unless {@code skip} (skip_balance). */
  void resumeBalance(boolean skip) {
    BalanceIoctl.resumeRecorded(f, skip);
  }

  /** What stops a running balance at unmount (cancels it after its current step). */
  AutoCloseable balance() {
    return f.balance;
  }

  /** What stops a background scrub at unmount (cancels it after its current step). */
  AutoCloseable scrub() {
    return f.scrub;
  }

  /** What cancels a running device replace at unmount. */
  AutoCloseable replace() {
    return f.replace;
  }

  /** Lets go of finished replaces' targets, once the devices are closed. */
  void releaseReplaceTargets() {
    f.replace.releaseClaims();
  }

  /**
   * The mount is live at {@code mountPoint}: its st_dev tells the subvolume ioctls whether a file
   * descriptor they are given is on this filesystem.
   */
  void mountedAt(java.nio.file.Path mountPoint) throws java.io.IOException {
    f.deviceNumber = (Long) java.nio.file.Files.getAttribute(mountPoint, "unix:dev");
  }

  @Override
  public long initFlags(long offered) {
    long wanted = wantedFlags();
    f.negotiated = wanted & offered;
    return wanted;
  }

  private long wantedFlags() {
    // With POSIX_ACL the kernel checks access against the ACLs it reads with getxattr, and leaves
    // the umask, default ACL inheritance and chmod's rewrite of the ACL to us (DONT_MASK: the mode
    // arrives unmasked, the umask beside it). SETXATTR_EXT tells us when an ACL change must drop
    // the set-gid bit.
    int acls = f.acl ? FuseProtocol.INIT_POSIX_ACL | FuseProtocol.INIT_DONT_MASK : 0;
    return acls
        | FuseProtocol.INIT_SETXATTR_EXT
        | FuseProtocol.INIT_ASYNC_READ
        | FuseProtocol.INIT_BIG_WRITES
        // open(O_TRUNC) truncates in OPEN, so a truncate(2) is told apart from it: only the
        // latter leaves the times alone when the size does not change.
        | FuseProtocol.INIT_ATOMIC_O_TRUNC
        | FuseProtocol.INIT_MAX_PAGES
        // readdir may carry each entry's attributes, sparing ls -l and find a LOOKUP per name;
        // the kernel asks for them when it sees the names looked up after a plain readdir.
        | FuseProtocol.INIT_DO_READDIRPLUS
        | FuseProtocol.INIT_READDIRPLUS_AUTO
        // Lookups and readdir in one directory may run at once; the mount's lock orders changes.
        | FuseProtocol.INIT_PARALLEL_DIROPS
        // File handles (open_by_handle_at, NFS) open inodes the kernel no longer caches: it asks
        // LOOKUP "." and ".." of the handle's node id, which names the inode (NodeIds).
        | FuseProtocol.INIT_EXPORT_SUPPORT
        // Set-id bits and security.capability are dropped by us on write, truncate and chown, so
        // the kernel need not ask for security.capability before every write.
        | FuseProtocol.INIT_HANDLE_KILLPRIV_V2
        // Idmapped mounts: the kernel allows them with default_permissions (which every jbtrfs
        // mount has), sends the mapped owner with each creation and mapped ids in chown; other
        // requests then carry no caller ids (FuseRequest reads them from /proc).
        | FuseProtocol.INIT_ALLOW_IDMAP;
  }

  @Override
  public int handle(FuseRequest req, FuseReply out) {
    f.requestFrom(req.pid());
    return switch (req.opcode()) {
      case FuseProtocol.LOOKUP -> names.lookup(req, out);
      case FuseProtocol.FORGET -> {
        f.nodes.forget(req.nodeid(), req.u64(0));
        yield FuseSession.NO_REPLY;
      }
      case FuseProtocol.BATCH_FORGET -> {
        // struct fuse_batch_forget_in { count, dummy } then { nodeid, nlookup } pairs
        int count = req.u32(0);
        for (int i = 0; i < count; i++) f.nodes.forget(req.u64(8 + 16 * i), req.u64(16 + 16 * i));
        yield FuseSession.NO_REPLY;
      }
      case FuseProtocol.GETATTR -> files.getattr(req, out);
      case FuseProtocol.STATX -> files.statx(req, out);
      case FuseProtocol.SETATTR -> files.setattr(req, out);
      case FuseProtocol.READLINK -> names.readlink(req, out);
      case FuseProtocol.SYMLINK -> names.symlink(req, out);
      case FuseProtocol.MKNOD -> names.mknod(req, out);
      case FuseProtocol.MKDIR -> names.mkdir(req, out);
      case FuseProtocol.UNLINK -> names.unlink(req, out);
      case FuseProtocol.RMDIR -> names.rmdir(req);
      case FuseProtocol.RENAME -> names.rename(req, out, false);
      case FuseProtocol.RENAME2 -> names.rename(req, out, true);
      case FuseProtocol.LINK -> names.link(req, out);
      case FuseProtocol.OPEN -> files.open(req, out);
      case FuseProtocol.CREATE -> create(req, out);
      case FuseProtocol.TMPFILE -> tmpfile(req, out);
      case FuseProtocol.READ -> files.read(req, out);
      case FuseProtocol.WRITE -> files.write(req, out);
      case FuseProtocol.RELEASE -> files.release(req);
      case FuseProtocol.FSYNC, FuseProtocol.FSYNCDIR, FuseProtocol.SYNCFS -> files.fsync(req);
      case FuseProtocol.FALLOCATE -> files.fallocate(req);
      case FuseProtocol.LSEEK -> files.lseek(req, out);
      case FuseProtocol.COPY_FILE_RANGE -> copies.copyFileRange(req, out);
      case FuseProtocol.STATFS -> files.statfs(req, out);
      case FuseProtocol.READDIR -> names.readdir(req, out, false);
      case FuseProtocol.READDIRPLUS -> names.readdir(req, out, true);
      case FuseProtocol.OPENDIR -> names.opendir(req, out);
      case FuseProtocol.RELEASEDIR -> files.release(req);
      case FuseProtocol.GETXATTR -> xattrs.getxattr(req, out);
      case FuseProtocol.LISTXATTR -> xattrs.listxattr(req, out);
      case FuseProtocol.SETXATTR -> xattrs.setxattr(req);
      case FuseProtocol.REMOVEXATTR -> xattrs.removexattr(req);
      case FuseProtocol.IOCTL -> ioctls.ioctl(req, out);
      // ENOSYS tells the kernel not to send these again: close(2) promises no durability (no
      // FLUSH), permissions are the kernel's (default_permissions).
      default -> FuseSession.enosys();
    };
  }

  /** CREATE: a new regular file, opened, in one request. */
  private int create(FuseRequest req, FuseReply out) {
    // struct fuse_create_in { flags, mode, umask, open_flags } then the name
    int flags = req.u32(0);
    int mode = req.u32(4);
    Node[] created = new Node[1];
    int r = names.create("create", req, out, mode, req.u32(8), 0, req.name(16), created);
    if (r != 0) return r;
    return files.openReply(out, created[0], flags);
  }

  /** TMPFILE (open with O_TMPFILE): a new regular file with no name, opened. */
  private int tmpfile(FuseRequest req, FuseReply out) {
    // struct fuse_create_in { flags, mode, umask, open_flags }
    Node[] created = new Node[1];
    int r = names.tmpfile(req, out, req.u32(4), req.u32(8), created);
    if (r != 0) return r;
    return files.openReply(out, created[0], req.u32(0));
  }

  /** The mount is going away: the final commit, and the devices let go. */
  @Override
  public void destroy() {
    release.run();
  }
}
