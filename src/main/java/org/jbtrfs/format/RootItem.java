package org.jbtrfs.format;

/** The parts of a ROOT_ITEM the driver needs: where the tree is and what it is. */
public record RootItem(
    InodeItem inode,
    long generation,
    long rootDirId,
    long bytenr,
    long bytesUsed,
    long lastSnapshot,
    long flags,
    long refs,
    int level,
    byte[] uuid,
    byte[] parentUuid,
    long ctransid,
    long otransid,
    Timespec ctime,
    Timespec otime) {
  /** Root item flag: the subvolume is read-only. */
  public static final long FLAG_RDONLY = 1L << 0;

  /** Root items before this size lack the v2 fields (uuids, times). */
  public static final int LEGACY_SIZE = 239;

  public static RootItem parse(byte[] b, int off, int size) throws FormatException {
    if (size < LEGACY_SIZE) throw new FormatException("root item too small: " + size);
    byte[] uuid = new byte[16];
    byte[] parent = new byte[16];
    long ctransid = 0, otransid = 0;
    Timespec ctime = new Timespec(0, 0), otime = new Timespec(0, 0);
    if (size >= 375) {
      System.arraycopy(b, off + 247, uuid, 0, 16);
      System.arraycopy(b, off + 263, parent, 0, 16);
      ctransid = Le.u64(b, off + 295);
      otransid = Le.u64(b, off + 303);
      ctime = Timespec.read(b, off + 327);
      otime = Timespec.read(b, off + 339);
    }
    return new RootItem(
        InodeItem.parse(b, off),
        Le.u64(b, off + 160),
        Le.u64(b, off + 168),
        Le.u64(b, off + 176),
        Le.u64(b, off + 192),
        Le.u64(b, off + 200),
        Le.u64(b, off + 208),
        Le.u32(b, off + 216),
        Le.u8(b, off + 238),
        uuid,
        parent,
        ctransid,
        otransid,
        ctime,
        otime);
  }
}
