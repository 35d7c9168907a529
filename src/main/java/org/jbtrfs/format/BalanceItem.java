package org.jbtrfs.format;

/**
 * The balance item (key BALANCE, TEMPORARY_ITEM, 0 in the root tree): a balance under way or
 * paused, with its arguments per type, as the kernel's btrfs_balance_item records it so that a
 * balance cut by an unmount or a crash goes on at the next mount. 8 bytes of flags, then data,
 * metadata and system arguments of 136 bytes each, then 32 unused bytes.
 */
public record BalanceItem(long flags, Args data, Args metadata, Args system) {
  public static final int SIZE = 8 + 3 * Args.SIZE + 32;

  /** Which types the balance covers, and whether it may lower metadata redundancy. */
  public static final long DATA = 1;

  public static final long SYSTEM = 1 << 1;
  public static final long METADATA = 1 << 2;
  public static final long FORCE = 1 << 3;

  /** The key of the item in the root tree. */
  public static Key key() {
    return new Key(ObjectIds.BALANCE, ItemType.TEMPORARY_ITEM, 0);
  }

  /**
   * One type's filters (btrfs_disk_balance_args). {@code usage} and {@code limit} are unions: a
   * single value, or minimum in the low 32 bits and maximum in the high 32 bits with the _RANGE
   * flag. Profiles in {@code profiles} and {@code target} are block group profile bits, single
   * being {@link #SINGLE}.
   */
  public record Args(
      long flags,
      long profiles,
      long usage,
      long devid,
      long pstart,
      long pend,
      long vstart,
      long vend,
      long target,
      long limit,
      int stripesMin,
      int stripesMax) {
    public static final int SIZE = 136;

    public static final long PROFILES = 1;
    public static final long USAGE = 1 << 1;
    public static final long DEVID = 1 << 2;
    public static final long DRANGE = 1 << 3;
    public static final long VRANGE = 1 << 4;
    public static final long LIMIT = 1 << 5;
    public static final long LIMIT_RANGE = 1 << 6;
    public static final long STRIPES_RANGE = 1 << 7;
    public static final long CONVERT = 1 << 8;
    public static final long SOFT = 1 << 9;
    public static final long USAGE_RANGE = 1 << 10;

    static Args parse(byte[] b, int off) {
      return new Args(
          Le.u64(b, off + 64),
          Le.u64(b, off),
          Le.u64(b, off + 8),
          Le.u64(b, off + 16),
          Le.u64(b, off + 24),
          Le.u64(b, off + 32),
          Le.u64(b, off + 40),
          Le.u64(b, off + 48),
          Le.u64(b, off + 56),
          Le.u64(b, off + 72),
          Le.i32(b, off + 80),
          Le.i32(b, off + 84));
    }

    void encode(byte[] b, int off) {
      Le.put64(b, off, profiles);
      Le.put64(b, off + 8, usage);
      Le.put64(b, off + 16, devid);
      Le.put64(b, off + 24, pstart);
      Le.put64(b, off + 32, pend);
      Le.put64(b, off + 40, vstart);
      Le.put64(b, off + 48, vend);
      Le.put64(b, off + 56, target);
      Le.put64(b, off + 64, flags);
      Le.put64(b, off + 72, limit);
      Le.put32(b, off + 80, stripesMin);
      Le.put32(b, off + 84, stripesMax);
    }
  }

  /** The in-memory bit the kernel uses for the single profile, which has no on-disk bit. */
  public static final long SINGLE = 1L << 48;

  public static BalanceItem parse(byte[] b, int off, int size) throws FormatException {
    if (size < SIZE) throw new FormatException("balance item of " + size + " bytes");
    return new BalanceItem(
        Le.u64(b, off),
        Args.parse(b, off + 8),
        Args.parse(b, off + 8 + Args.SIZE),
        Args.parse(b, off + 8 + 2 * Args.SIZE));
  }

  public byte[] encode() {
    byte[] b = new byte[SIZE];
    Le.put64(b, 0, flags);
    data.encode(b, 8);
    metadata.encode(b, 8 + Args.SIZE);
    system.encode(b, 8 + 2 * Args.SIZE);
    return b;
  }
}
