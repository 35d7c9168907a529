package org.jbtrfs.fuse;

import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.tree.Tree;

/**
 * BTRFS_IOC_TREE_SEARCH, as the kernel answers it: the items of one tree whose keys lie between a
 * minimum and a maximum key (compared whole, not field by field) and whose leaf generation lies in
 * a transid range, each after a header, as many as fit in the 3992-byte buffer or were asked for.
 * It is how `subvolume list`, `show` and `sync` read a mounted filesystem's root tree. Only root
 * may, as in the kernel (CAP_SYS_ADMIN).
 */
final class TreeSearchIoctl {
  /** _IOWR(0x94, 17, struct btrfs_ioctl_search_args), 4096 bytes. */
  static final int TREE_SEARCH = 0xd0009411;

  private static final int ARGS_SIZE = 4096;

  /** struct btrfs_ioctl_search_key: tree id, min/max objectid, offset, transid, type, nr_items. */
  private static final int KEY_SIZE = 104;

  private static final int NR_ITEMS = 64;
  private static final int BUF_SIZE = ARGS_SIZE - KEY_SIZE;

  /** struct btrfs_ioctl_search_header { transid, objectid, offset, type, len }. */
  private static final int HEADER_SIZE = 32;

  private final FuseFs f;

  TreeSearchIoctl(FuseFs f) {
    this.f = f;
  }

  int ioctl(FuseRequest req, FuseReply out, int inSize, int outSize) {
    if (inSize < ARGS_SIZE || outSize < ARGS_SIZE) return -Errno.EINVAL;
    if (req.uid() != 0) return -Errno.EPERM;
    long treeId = req.u64(FuseProtocol.IOCTL_IN_DATA);
    Key min =
        new Key(
            req.u64(FuseProtocol.IOCTL_IN_DATA + 8),
            req.u32(FuseProtocol.IOCTL_IN_DATA + 56),
            req.u64(FuseProtocol.IOCTL_IN_DATA + 24));
    Key max =
        new Key(
            req.u64(FuseProtocol.IOCTL_IN_DATA + 16),
            req.u32(FuseProtocol.IOCTL_IN_DATA + 60),
            req.u64(FuseProtocol.IOCTL_IN_DATA + 32));
    long minTransid = req.u64(FuseProtocol.IOCTL_IN_DATA + 40);
    long maxTransid = req.u64(FuseProtocol.IOCTL_IN_DATA + 48);
    long wanted = req.u32(FuseProtocol.IOCTL_IN_DATA + NR_ITEMS) & 0xffffffffL;
    long nodeid = req.nodeid();
    return f.reading(
        "ioctl",
        nodeid,
        () -> {
          long id = treeId != 0 ? treeId : f.node(nodeid).subvolume().id();
          Tree tree = f.fs.currentTreeOf(id);
          if (tree == null) return -Errno.ENOENT;
          byte[] buf = new byte[BUF_SIZE];
          int used = 0;
          int found = 0;
          for (Cursor c = tree.seekCeil(min); c.valid() && found < wanted; c.next()) {
            if (c.key().compareTo(max) > 0) break;
            long transid = c.leaf().generation();
            if (Long.compareUnsigned(transid, minTransid) < 0
                || Long.compareUnsigned(transid, maxTransid) > 0) {
              continue;
            }
            int len = c.dataSize();
            if (HEADER_SIZE + len > BUF_SIZE - used) {
              if (found == 0) return -Errno.EOVERFLOW;
              break;
            }
            Le.put64(buf, used, transid);
            Le.put64(buf, used + 8, c.objectId());
            Le.put64(buf, used + 16, c.offset());
            Le.put32(buf, used + 24, c.type());
            Le.put32(buf, used + 28, len);
            System.arraycopy(c.raw(), c.dataOffset(), buf, used + HEADER_SIZE, len);
            used += HEADER_SIZE + len;
            found++;
          }
          out.ioctlDone();
          byte[] key = req.bytes(FuseProtocol.IOCTL_IN_DATA, KEY_SIZE);
          Le.put32(key, NR_ITEMS, found);
          out.bytes(key, 0, KEY_SIZE).bytes(buf, 0, BUF_SIZE);
          return 0;
        });
  }
}
