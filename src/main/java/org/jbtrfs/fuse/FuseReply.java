package org.jbtrfs.fuse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.jbtrfs.format.Align;
import org.jbtrfs.format.DeviceNumbers;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;

/**
 * Builds one reply (struct fuse_out_header and the opcode's result) in a reusable direct buffer.
 * Handlers append the result with the put methods; the session fills in the header and writes it.
 */
final class FuseReply {
  private final ByteBuffer buf;
  private Runnable beforeSend;
  private long request;

  FuseReply(int capacity) {
    this.buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.LITTLE_ENDIAN);
  }

  ByteBuffer buffer() {
    return buf;
  }

  /** Starts an empty result, to the request numbered {@code request} (see FuseSession). */
  FuseReply begin(long request) {
    this.request = request;
    beforeSend = null;
    buf.clear();
    buf.position(FuseProtocol.OUT_HEADER);
    return this;
  }

  /** The number of the request this answers, in the order requests were read. */
  long request() {
    return request;
  }

  /**
   * Runs {@code r} at the last moment before this reply is written (or dropped, if the request gets
   * none).
   */
  void beforeSend(Runnable r) {
    beforeSend = r;
  }

  /** The session's call, with the reply final and about to be written. */
  void sending() {
    Runnable r = beforeSend;
    beforeSend = null;
    if (r != null) r.run();
  }

  /** Bytes the result may still take. */
  int room() {
    return buf.capacity() - buf.position();
  }

  int position() {
    return buf.position();
  }

  FuseReply u32(int v) {
    buf.putInt(v);
    return this;
  }

  FuseReply u16(int v) {
    buf.putShort((short) v);
    return this;
  }

  FuseReply u64(long v) {
    buf.putLong(v);
    return this;
  }

  FuseReply bytes(byte[] b, int off, int len) {
    buf.put(b, off, len);
    return this;
  }

  /** {@code s} in UTF-8, cut to leave room for its NUL, padded with zeros to {@code size}. */
  FuseReply cString(String s, int size) {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    int n = Math.min(b.length, size - 1);
    return bytes(b, 0, n).zeros(size - n);
  }

  FuseReply zeros(int n) {
    for (int i = 0; i < n; i++) buf.put((byte) 0);
    return this;
  }

  /** Pads the result to a multiple of 8 bytes (directory entries). */
  FuseReply align8() {
    return zeros((int) (Align.up(buf.position(), 8) - buf.position()));
  }

  /**
   * struct fuse_attr for an inode, as the kernel's btrfs_getattr reports it, with link count {@code
   * nlink} (see LinkDropsInFlight); {@code buffered} is data written but not yet in extents, which
   * counts in st_blocks as it does in the kernel.
   */
  FuseReply attr(long ino, InodeItem inode, long nlink, int blockSize, long buffered) {
    u64(ino);
    u64(inode.size());
    // Bytes in use rounded up to the block size, in 512-byte units.
    u64((Align.up(inode.nbytes(), blockSize) + Align.up(buffered, blockSize)) / 512);
    u64(inode.atime().sec());
    u64(inode.mtime().sec());
    u64(inode.ctime().sec());
    u32(inode.atime().nsec());
    u32(inode.mtime().nsec());
    u32(inode.ctime().nsec());
    u32(inode.mode());
    u32((int) nlink);
    u32((int) inode.uid());
    u32((int) inode.gid());
    u32((int) DeviceNumbers.toUser(inode.rdev()));
    u32(blockSize);
    return u32(0);
  }

  /** struct fuse_ioctl_out { result, flags, in_iovs, out_iovs }: success, nothing to retry. */
  FuseReply ioctlDone() {
    return u32(0).u32(0).u32(0).u32(0);
  }

  /** STATX_BASIC_STATS and STATX_BTIME: what a statx reply carries. */
  private static final int STATX_MASK = 0x7ff | 0x800;

  /**
   * struct fuse_statx_out for an inode: the attributes of {@link #attr} and the birth time (the
   * inode's otime), as the kernel's btrfs_getattr reports them.
   */
  FuseReply statx(
      CacheTimes t, long ino, InodeItem inode, long nlink, int blockSize, long buffered) {
    u64(t.attrSeconds()).u32(t.attrNanos()).u32(0).u64(0).u64(0);
    u32(STATX_MASK).u32(blockSize).u64(statxAttributes(inode.flags()));
    u32((int) nlink).u32((int) inode.uid()).u32((int) inode.gid());
    u16(inode.mode()).u16(0);
    u64(ino).u64(inode.size());
    u64((Align.up(inode.nbytes(), blockSize) + Align.up(buffered, blockSize)) / 512);
    u64(STATX_ATTRS_KNOWN);
    for (Timespec ts :
        new Timespec[] {inode.atime(), inode.otime(), inode.ctime(), inode.mtime()}) {
      u64(ts.sec()).u32(ts.nsec()).u32(0);
    }
    // The on-disk rdev holds the major above 20 bits; dev is filled in by the kernel.
    u32((int) ((inode.rdev() >>> 20) & 0xfff)).u32((int) (inode.rdev() & 0xfffff));
    u32(0).u32(0);
    return zeros(14 * 8);
  }

  // STATX_ATTR_* bits btrfs_getattr reports, and the mask saying it knows all four.
  private static final long STATX_ATTR_COMPRESSED = 0x4;
  private static final long STATX_ATTR_IMMUTABLE = 0x10;
  private static final long STATX_ATTR_APPEND = 0x20;
  private static final long STATX_ATTR_NODUMP = 0x40;
  static final long STATX_ATTRS_KNOWN =
      STATX_ATTR_COMPRESSED | STATX_ATTR_IMMUTABLE | STATX_ATTR_APPEND | STATX_ATTR_NODUMP;

  /** The statx attributes of an inode with btrfs inode flags {@code flags}, as btrfs_getattr. */
  static long statxAttributes(long flags) {
    long a = 0;
    if ((flags & InodeItem.FLAG_COMPRESS) != 0) a |= STATX_ATTR_COMPRESSED;
    if ((flags & InodeItem.FLAG_IMMUTABLE) != 0) a |= STATX_ATTR_IMMUTABLE;
    if ((flags & InodeItem.FLAG_APPEND) != 0) a |= STATX_ATTR_APPEND;
    if ((flags & InodeItem.FLAG_NODUMP) != 0) a |= STATX_ATTR_NODUMP;
    return a;
  }

  /** struct fuse_entry_out's header for {@code nodeid}; the attributes follow. */
  FuseReply entryHeader(long nodeid, long generation, CacheTimes t) {
    u64(nodeid);
    u64(generation);
    u64(t.entrySeconds());
    u64(t.attrSeconds());
    u32(t.entryNanos());
    return u32(t.attrNanos());
  }

  /** struct fuse_attr_out's cache fields; the attributes follow. */
  FuseReply attrHeader(CacheTimes t) {
    u64(t.attrSeconds());
    u32(t.attrNanos());
    return u32(0);
  }

  /** Fills in the header for request {@code unique}; error replies carry no result. */
  ByteBuffer finish(long unique, int error) {
    int len = error == 0 ? buf.position() : FuseProtocol.OUT_HEADER;
    buf.putInt(0, len);
    buf.putInt(4, error);
    buf.putLong(8, unique);
    buf.position(0);
    buf.limit(len);
    return buf;
  }
}
