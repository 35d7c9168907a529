package org.jbtrfs.fuse;

import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.write.ExtentClone;
import org.jbtrfs.fs.write.FileTree;

/**
 * FUSE_COPY_FILE_RANGE (copy_file_range(2), which `cp` uses): as on the kernel's btrfs, where the
 * VFS reflinks before it copies, the range is shared (the destination's extents point at the
 * source's, no data written) when its offsets lie on block boundaries, and copied otherwise.
 */
final class CopyRangeRequests {
  /** The reply's byte count is 32 bits: at most this much per call (the caller asks again). */
  private static final long MAX_CALL = 0x7ffff000L;

  /** Bytes copied (not shared) per call, so one call does not hold the write lock for long. */
  private static final int MAX_COPY = 8 << 20;

  private static final int CHUNK = 1 << 20;

  private final FuseFs f;

  CopyRangeRequests(FuseFs f) {
    this.f = f;
  }

  int copyFileRange(FuseRequest req, FuseReply out) {
    // struct fuse_copy_file_range_in { fh_in, off_in, nodeid_out, fh_out, off_out, len, flags }
    FuseFs.Handle in = f.handle(req.u64(0));
    long offIn = req.u64(8);
    FuseFs.Handle to = f.handle(req.u64(24));
    long offOut = req.u64(32);
    long len = Math.min(req.u64(40), MAX_CALL);
    if (in == null || to == null) return -Errno.EBADF;
    if (req.u64(48) != 0) return -Errno.EINVAL;
    if (f.rw == null) return -Errno.EROFS;
    return f.changing(
        "copy_file_range",
        req.u64(16),
        ExtentClone.RESERVED_ITEMS,
        false,
        () -> {
          Node src = in.node();
          Node dst = to.node();
          InodeFlagRules.checkCopyInto(f.inode(dst));
          InodeItem si = f.inode(src);
          long n = offIn >= si.size() ? 0 : Math.min(len, si.size() - offIn);
          long done = 0;
          if (n > 0) {
            // Buffered pages become extents first: the extent maps are what is shared.
            f.rw.writebackFile(src);
            f.rw.writebackFile(dst);
            FileTree dstTree = f.rw.ops(dst.subvolume().id()).fileTree();
            FileTree srcTree = new FileTree(f.rw.engine(), src.subvolume().id());
            ExtentClone clone = new ExtentClone(srcTree, dstTree);
            done =
                clone.canShare(src.ino(), offIn, dst.ino(), offOut, n)
                    ? clone.share(src.ino(), offIn, dst.ino(), offOut, n)
                    : copy(src, si, offIn, dst, offOut, Math.min(n, MAX_COPY));
          }
          out.u32((int) done).u32(0);
          return 0;
        });
  }

  /** Reads and writes the bytes, a chunk at a time (the buffered write path does the rest). */
  private long copy(Node src, InodeItem si, long offIn, Node dst, long offOut, long n)
      throws java.io.IOException {
    byte[] buf = new byte[(int) Math.min(CHUNK, n)];
    long done = 0;
    while (done < n) {
      int want = (int) Math.min(buf.length, n - done);
      int got = FileReader.read(src, si, offIn + done, buf, 0, want);
      if (got <= 0) break;
      f.rw.write(dst, offOut + done, buf, got);
      done += got;
    }
    return done;
  }
}
