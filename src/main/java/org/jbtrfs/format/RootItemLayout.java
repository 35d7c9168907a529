package org.jbtrfs.format;

/**
 * Byte offsets of the fields of a ROOT_ITEM (struct btrfs_root_item) that creating subvolumes and
 * snapshots writes. An item of {@link #SIZE} bytes has every field; older ones stop at {@link
 * RootItem#LEGACY_SIZE}.
 */
public final class RootItemLayout {
  private RootItemLayout() {}

  /** The flags of the inode item the root item begins with. */
  public static final int INODE_FLAGS = 64;

  /**
   * Inode flag in that inode item: the root item's flags and byte limit are meaningful. The kernel
   * zeroes both when it reads a root item without it (items older than the flag), so a read-only
   * subvolume without it would not be read-only.
   */
  public static final long INODE_ROOT_ITEM_INIT = 1L << 31;

  public static final int GENERATION = 160;
  public static final int ROOT_DIRID = 168;
  public static final int BYTENR = 176;
  public static final int BYTE_LIMIT = 184;
  public static final int BYTES_USED = 192;
  public static final int LAST_SNAPSHOT = 200;
  public static final int FLAGS = 208;
  public static final int REFS = 216;
  public static final int DROP_PROGRESS = 220;
  public static final int DROP_LEVEL = 237;
  public static final int LEVEL = 238;
  public static final int GENERATION_V2 = 239;
  public static final int UUID = 247;
  public static final int PARENT_UUID = 263;
  public static final int RECEIVED_UUID = 279;
  public static final int CTRANSID = 295;
  public static final int OTRANSID = 303;
  public static final int STRANSID = 311;
  public static final int RTRANSID = 319;
  public static final int CTIME = 327;
  public static final int OTIME = 339;
  public static final int STIME = 351;
  public static final int RTIME = 363;

  /** The whole item, reserved words included, as the kernel writes it today. */
  public static final int SIZE = 439;

  /** Root flag: a subvolume being deleted (BTRFS_ROOT_SUBVOL_DEAD). */
  public static final long FLAG_DEAD = 1L << 48;
}
