package org.jbtrfs.format;

/** The 160-byte inode item. */
public record InodeItem(
    long generation,
    long transid,
    long size,
    long nbytes,
    long blockGroup,
    long nlink,
    long uid,
    long gid,
    int mode,
    long rdev,
    long flags,
    long sequence,
    Timespec atime,
    Timespec ctime,
    Timespec mtime,
    Timespec otime) {
  public static final int SIZE = 160;

  /** Byte offsets of the fields the tree checker validates. */
  public static final int OFF_GENERATION = 0;

  public static final int OFF_TRANSID = 8;
  public static final int OFF_NLINK = 40;
  public static final int OFF_MODE = 52;
  public static final int OFF_FLAGS = 64;

  /** Inode flag: data of this inode carries no checksums. */
  public static final long FLAG_NODATASUM = 1L << 0;

  public static final long FLAG_NODATACOW = 1L << 1;
  public static final long FLAG_READONLY = 1L << 2;
  public static final long FLAG_NOCOMPRESS = 1L << 3;
  public static final long FLAG_PREALLOC = 1L << 4;
  public static final long FLAG_SYNC = 1L << 5;
  public static final long FLAG_IMMUTABLE = 1L << 6;
  public static final long FLAG_APPEND = 1L << 7;
  public static final long FLAG_NODUMP = 1L << 8;
  public static final long FLAG_NOATIME = 1L << 9;
  public static final long FLAG_DIRSYNC = 1L << 10;
  public static final long FLAG_COMPRESS = 1L << 11;

  /** Flag: the root item holding this inode item has meaningful flags (root items only). */
  public static final long FLAG_ROOT_ITEM_INIT = 1L << 31;

  /** Every flag of the low (incompat) word a kernel knows; others make the inode unreadable. */
  public static final long KNOWN_FLAGS =
      FLAG_NODATASUM
          | FLAG_NODATACOW
          | FLAG_READONLY
          | FLAG_NOCOMPRESS
          | FLAG_PREALLOC
          | FLAG_SYNC
          | FLAG_IMMUTABLE
          | FLAG_APPEND
          | FLAG_NODUMP
          | FLAG_NOATIME
          | FLAG_DIRSYNC
          | FLAG_COMPRESS
          | FLAG_ROOT_ITEM_INIT;

  /** Read-only-compatible flags (the high word): fs-verity is the only one. */
  public static final long RO_FLAG_VERITY = 1L << 32;

  public static final long KNOWN_RO_FLAGS = RO_FLAG_VERITY;

  public static InodeItem parse(byte[] b, int off) {
    return new InodeItem(
        Le.u64(b, off),
        Le.u64(b, off + 8),
        Le.u64(b, off + 16),
        Le.u64(b, off + 24),
        Le.u64(b, off + 32),
        Le.u32(b, off + 40),
        Le.u32(b, off + 44),
        Le.u32(b, off + 48),
        Le.i32(b, off + 52),
        Le.u64(b, off + 56),
        Le.u64(b, off + 64),
        Le.u64(b, off + 72),
        Timespec.read(b, off + 112),
        Timespec.read(b, off + 124),
        Timespec.read(b, off + 136),
        Timespec.read(b, off + 148));
  }

  /** The 160-byte on-disk form (reserved fields zero). */
  public byte[] encode() {
    byte[] b = new byte[SIZE];
    Le.put64(b, 0, generation);
    Le.put64(b, 8, transid);
    Le.put64(b, 16, size);
    Le.put64(b, 24, nbytes);
    Le.put64(b, 32, blockGroup);
    Le.put32(b, 40, nlink);
    Le.put32(b, 44, uid);
    Le.put32(b, 48, gid);
    Le.put32(b, 52, mode);
    Le.put64(b, 56, rdev);
    Le.put64(b, 64, flags);
    Le.put64(b, 72, sequence);
    atime.write(b, 112);
    ctime.write(b, 124);
    mtime.write(b, 136);
    otime.write(b, 148);
    return b;
  }

  public InodeItem withSize(long newSize, long newNbytes) {
    return copy(transid, newSize, newNbytes, nlink, uid, gid, mode, sequence, atime, ctime, mtime);
  }

  public InodeItem withGeneration(long g) {
    return new InodeItem(
        g,
        transid,
        size,
        nbytes,
        blockGroup,
        nlink,
        uid,
        gid,
        mode,
        rdev,
        flags,
        sequence,
        atime,
        ctime,
        mtime,
        otime);
  }

  public InodeItem withNlink(long n) {
    return copy(transid, size, nbytes, n, uid, gid, mode, sequence, atime, ctime, mtime);
  }

  /** Stamped by the transaction that stores it; the sequence (i_version) moves on each change. */
  public InodeItem withTransid(long t) {
    return copy(t, size, nbytes, nlink, uid, gid, mode, sequence + 1, atime, ctime, mtime);
  }

  public InodeItem withTimes(Timespec a, Timespec c, Timespec m) {
    return copy(transid, size, nbytes, nlink, uid, gid, mode, sequence, a, c, m);
  }

  public InodeItem withOwner(long newUid, long newGid, int newMode) {
    return copy(
        transid, size, nbytes, nlink, newUid, newGid, newMode, sequence, atime, ctime, mtime);
  }

  /** The inode flags (chattr's, and the ones btrfs keeps for itself). */
  public InodeItem withFlags(long newFlags) {
    return new InodeItem(
        generation,
        transid,
        size,
        nbytes,
        blockGroup,
        nlink,
        uid,
        gid,
        mode,
        rdev,
        newFlags,
        sequence,
        atime,
        ctime,
        mtime,
        otime);
  }

  /** The fields that change often; generation, rdev and otime never do, flags seldom. */
  private InodeItem copy(
      long t,
      long sz,
      long nb,
      long nl,
      long u,
      long g,
      int md,
      long seq,
      Timespec a,
      Timespec c,
      Timespec m) {
    return new InodeItem(
        generation, t, sz, nb, blockGroup, nl, u, g, md, rdev, flags, seq, a, c, m, otime);
  }

  public boolean isNoDataSum() {
    return (flags & FLAG_NODATASUM) != 0;
  }
}
