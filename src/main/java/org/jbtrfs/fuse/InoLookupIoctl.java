package org.jbtrfs.fuse;

import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Subvolume;
import org.jbtrfs.fs.SubvolumePaths;

/**
 * BTRFS_IOC_INO_LOOKUP, as the kernel answers it: the path of a directory inside a subvolume (each
 * name followed by "/"), which `subvolume list` and `show` join to subvolume paths; with tree id 0
 * the subvolume is the one the ioctl's file is in, and its id is returned. Only root may ask about
 * other directories than a subvolume's top, as in the kernel.
 */
final class InoLookupIoctl {
  /** _IOWR(0x94, 18, struct btrfs_ioctl_ino_lookup_args { treeid; objectid; name[4080] }). */
  static final int INO_LOOKUP = 0xd0009412;

  private static final int ARGS_SIZE = 4096;
  private static final int NAME = 16;
  private static final int NAME_MAX = ARGS_SIZE - NAME;

  private final FuseFs f;

  InoLookupIoctl(FuseFs f) {
    this.f = f;
  }

  int ioctl(FuseRequest req, FuseReply out, int inSize, int outSize) {
    if (inSize < ARGS_SIZE || outSize < ARGS_SIZE) return -Errno.EINVAL;
    long treeId = req.u64(FuseProtocol.IOCTL_IN_DATA);
    long objectId = req.u64(FuseProtocol.IOCTL_IN_DATA + 8);
    if (req.uid() != 0 && !(treeId == 0 && objectId == ObjectIds.FIRST_FREE)) return -Errno.EPERM;
    long nodeid = req.nodeid();
    return f.reading(
        "ioctl",
        nodeid,
        () -> {
          long id = treeId != 0 ? treeId : f.node(nodeid).subvolume().id();
          if (f.fs.currentTreeOf(id) == null || !ObjectIds.isFsTree(id)) return -Errno.ENOENT;
          Subvolume sv = f.fs.subvolume(id);
          byte[] path = SubvolumePaths.dirPath(sv, objectId).getBytes(StandardCharsets.UTF_8);
          if (path.length >= NAME_MAX) return -Errno.ENAMETOOLONG;
          out.ioctlDone();
          out.u64(id).u64(objectId).bytes(path, 0, path.length).zeros(NAME_MAX - path.length);
          return 0;
        });
  }
}
