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
  /** Inode flag: data of this inode carries no checksums. */
  public static final long FLAG_NODATASUM = 1L << 0;
  public static final long FLAG_NODATACOW = 1L << 1;
  public static final long FLAG_READONLY = 1L << 2;
  public static final long FLAG_NOCOMPRESS = 1L << 3;
  public static final long FLAG_PREALLOC = 1L << 4;
  public static final long FLAG_COMPRESS = 1L << 11;

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

  public boolean isNoDataSum() {
    return (flags & FLAG_NODATASUM) != 0;
  }
}
