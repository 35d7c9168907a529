package org.jbtrfs.format;

/** Well-known object ids (tree ids and special inode numbers). */
public final class ObjectIds {
  private ObjectIds() {}

  public static final long ROOT_TREE = 1;
  public static final long EXTENT_TREE = 2;
  public static final long CHUNK_TREE = 3;
  public static final long DEV_TREE = 4;
  public static final long FS_TREE = 5;
  public static final long ROOT_TREE_DIR = 6;
  public static final long CSUM_TREE = 7;
  public static final long QUOTA_TREE = 8;
  public static final long UUID_TREE = 9;
  public static final long FREE_SPACE_TREE = 10;
  public static final long BLOCK_GROUP_TREE = 11;
  public static final long RAID_STRIPE_TREE = 12;

  /** The inode number of every subvolume's top directory. */
  public static final long FIRST_FREE = 256;

  /** Subvolume ids stop here; above are special trees. */
  public static final long LAST_FREE = -256L;

  public static final long FIRST_CHUNK_TREE = 256;
  public static final long DEV_ITEMS = 1;

  /** Placeholder directory shown where a snapshot captured a nested subvolume. */
  public static final long EMPTY_SUBVOL_DIR = 2;

  /** The balance item (paused or interrupted balance), in the root tree. */
  public static final long BALANCE = -4L;

  public static final long ORPHAN = -5L;
  public static final long TREE_LOG = -6L;
  public static final long TREE_LOG_FIXUP = -7L;
  public static final long TREE_RELOC = -8L;
  public static final long DATA_RELOC_TREE = -9L;
  public static final long EXTENT_CSUM = -10L;
  public static final long FREE_SPACE = -11L;

  /** The old inode number cache's inode (inode_cache mount option, long removed). */
  public static final long FREE_INO = -12L;

  /** True for object ids of trees that hold files: the top fs tree and every subvolume. */
  public static boolean isFsTree(long id) {
    return id == FS_TREE
        || (Long.compareUnsigned(id, FIRST_FREE) >= 0 && Long.compareUnsigned(id, LAST_FREE) <= 0);
  }
}
