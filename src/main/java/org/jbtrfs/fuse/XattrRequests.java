package org.jbtrfs.fuse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.Xattrs;

/** Extended attributes: get, list, set, remove. */
final class XattrRequests {
  private static final int XATTR_ITEMS = 2;

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
          NameRules.checkXattrName(name);
          byte[] v = Xattrs.get(n, name.getBytes(StandardCharsets.UTF_8));
          return sized(out, v, size, Errno.ENODATA);
        });
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
    // struct fuse_setxattr_in (7.x without SETXATTR_EXT) { size, flags }, the name, the value
    int size = req.u32(0);
    int flags = req.u32(4);
    String name = req.nameString(8);
    byte[] value = req.bytes(req.afterName(8), size);
    return f.changing(
        "setxattr",
        req.nodeid(),
        XATTR_ITEMS,
        false,
        () -> {
          Node n = f.node(req.nodeid());
          NameRules.checkXattrName(name);
          byte[] key = name.getBytes(StandardCharsets.UTF_8);
          boolean exists = Xattrs.get(n, key) != null;
          if ((flags & FileModes.XATTR_CREATE) != 0 && exists) return -Errno.EEXIST;
          if ((flags & FileModes.XATTR_REPLACE) != 0 && !exists) return -Errno.ENODATA;
          f.rw.ops(n.subvolume().id()).xattrs().set(n.ino(), key, value);
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
          NameRules.checkXattrName(name);
          boolean removed =
              f.rw
                  .ops(n.subvolume().id())
                  .xattrs()
                  .remove(n.ino(), name.getBytes(StandardCharsets.UTF_8));
          return removed ? 0 : -Errno.ENODATA;
        });
  }
}
