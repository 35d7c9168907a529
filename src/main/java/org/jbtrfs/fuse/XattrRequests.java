package org.jbtrfs.fuse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.Xattrs;
import org.jbtrfs.fs.write.PosixAcl;

/** Extended attributes: get, list, set, remove. */
final class XattrRequests {
  private static final int XATTR_ITEMS = 2;
  private static final String ACL_PREFIX = "system.posix_acl_";

  private final FuseFs f;

  XattrRequests(FuseFs f) {
    this.f = f;
  }

  int getxattr(FuseRequest req, FuseReply out) {
    // struct fuse_getxattr_in { size, padding } then the name
    int size = req.u32(0);
    String name = req.nameString(8);
    return f.reading(
        "getxattr",
        req.nodeid(),
        () -> {
          Node n = f.node(req.nodeid());
          checkName(name);
          byte[] v = Xattrs.get(n, name.getBytes(StandardCharsets.UTF_8));
          return sized(out, v, size, Errno.ENODATA);
        });
  }

  /** The namespaces btrfs has; ACLs only when they are on (the kernel's noacl refuses them). */
  private void checkName(String name) throws org.jbtrfs.fs.write.FsError {
    NameRules.checkXattrName(name);
    if (!f.acl && name.startsWith(ACL_PREFIX))
      throw new org.jbtrfs.fs.write.FsError(Errno.EOPNOTSUPP, "mounted with noacl");
  }

  int listxattr(FuseRequest req, FuseReply out) {
    int size = req.u32(0);
    return f.reading(
        "listxattr",
        req.nodeid(),
        () -> {
          ByteArrayOutputStream list = new ByteArrayOutputStream();
          for (byte[] name : Xattrs.list(f.node(req.nodeid()))) {
            list.write(name);
            list.write(0);
          }
          return sized(out, list.toByteArray(), size, 0);
        });
  }

  /**
   * The reply of getxattr/listxattr: the length alone when asked with size 0 (struct
   * fuse_getxattr_out), ERANGE when the caller's buffer is too small, else the bytes.
   */
  private static int sized(FuseReply out, byte[] v, int size, int missingErrno) {
    if (v == null) return -missingErrno;
    if (size == 0) {
      out.u32(v.length).u32(0);
      return 0;
    }
    if (size < v.length) return -Errno.ERANGE;
    out.bytes(v, 0, v.length);
    return 0;
  }

  int setxattr(FuseRequest req) {
    // struct fuse_setxattr_in { size, flags } or, with SETXATTR_EXT, { size, flags,
    // setxattr_flags, padding }; then the name and the value
    boolean ext = (f.negotiated & FuseProtocol.INIT_SETXATTR_EXT) != 0;
    int header = ext ? FuseProtocol.SETXATTR_IN_EXT : FuseProtocol.SETXATTR_IN_COMPAT;
    int size = req.u32(0);
    int flags = req.u32(4);
    boolean kernelSaysKill = ext && (req.u32(8) & FuseProtocol.SETXATTR_ACL_KILL_SGID) != 0;
    String name = req.nameString(header);
    byte[] value = req.bytes(req.afterName(header), size);
    return f.changing(
        "setxattr",
        req.nodeid(),
        XATTR_ITEMS,
        false,
        () -> {
          Node n = f.node(req.nodeid());
          checkName(name);
          NameRules.checkXattrChange(name);
          InodeFlagRules.checkXattrChange(f.inode(n));
          byte[] key = name.getBytes(StandardCharsets.UTF_8);
          boolean exists = Xattrs.get(n, key) != null;
          if ((flags & FileModes.XATTR_CREATE) != 0 && exists) return -Errno.EEXIST;
          if ((flags & FileModes.XATTR_REPLACE) != 0 && !exists) return -Errno.ENODATA;
          org.jbtrfs.fs.write.Xattrs x = f.rw.ops(n.subvolume().id()).xattrs();
          if (java.util.Arrays.equals(key, PosixAcl.ACCESS)) {
            // An older kernel does not say whether the caller keeps set-gid: decide as it would.
            boolean kill =
                ext ? kernelSaysKill : !CallerGroups.inGroupOrRoot(req, f.inode(n).gid());
            x.setAccessAcl(n.ino(), value, kill);
          } else x.set(n.ino(), key, value);
          return 0;
        });
  }

  int removexattr(FuseRequest req) {
    String name = req.nameString(0);
    return f.changing(
        "removexattr",
        req.nodeid(),
        XATTR_ITEMS,
        false,
        () -> {
          Node n = f.node(req.nodeid());
          checkName(name);
          NameRules.checkXattrChange(name);
          InodeFlagRules.checkXattrChange(f.inode(n));
          boolean removed =
              f.rw
                  .ops(n.subvolume().id())
                  .xattrs()
                  .remove(n.ino(), name.getBytes(StandardCharsets.UTF_8));
          // Removing an ACL that is not there succeeds, as in the kernel (set_acl with none).
          return removed || name.startsWith(ACL_PREFIX) ? 0 : -Errno.ENODATA;
        });
  }
}
