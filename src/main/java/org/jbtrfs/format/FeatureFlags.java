package org.jbtrfs.format;

import java.util.ArrayList;
import java.util.List;

/** Superblock feature bits, with the ones this driver understands. */
public final class FeatureFlags {
  private FeatureFlags() {}

  public static final long INCOMPAT_MIXED_BACKREF = 1L << 0;
  public static final long INCOMPAT_DEFAULT_SUBVOL = 1L << 1;
  public static final long INCOMPAT_MIXED_GROUPS = 1L << 2;
  public static final long INCOMPAT_COMPRESS_LZO = 1L << 3;
  public static final long INCOMPAT_COMPRESS_ZSTD = 1L << 4;
  public static final long INCOMPAT_BIG_METADATA = 1L << 5;
  public static final long INCOMPAT_EXTENDED_IREF = 1L << 6;
  public static final long INCOMPAT_RAID56 = 1L << 7;
  public static final long INCOMPAT_SKINNY_METADATA = 1L << 8;
  public static final long INCOMPAT_NO_HOLES = 1L << 9;
  public static final long INCOMPAT_METADATA_UUID = 1L << 10;
  public static final long INCOMPAT_RAID1C34 = 1L << 11;
  public static final long INCOMPAT_ZONED = 1L << 12;
  public static final long INCOMPAT_EXTENT_TREE_V2 = 1L << 13;
  public static final long INCOMPAT_RAID_STRIPE_TREE = 1L << 14;
  public static final long INCOMPAT_SIMPLE_QUOTA = 1L << 16;

  public static final long COMPAT_RO_FREE_SPACE_TREE = 1L << 0;
  public static final long COMPAT_RO_FREE_SPACE_TREE_VALID = 1L << 1;
  public static final long COMPAT_RO_VERITY = 1L << 2;
  public static final long COMPAT_RO_BLOCK_GROUP_TREE = 1L << 3;

  /** Incompat bits the read path handles. */
  public static final long READ_SUPPORTED_INCOMPAT =
      INCOMPAT_MIXED_BACKREF
          | INCOMPAT_DEFAULT_SUBVOL
          | INCOMPAT_MIXED_GROUPS
          | INCOMPAT_COMPRESS_LZO
          | INCOMPAT_COMPRESS_ZSTD
          | INCOMPAT_BIG_METADATA
          | INCOMPAT_EXTENDED_IREF
          | INCOMPAT_RAID56
          | INCOMPAT_SKINNY_METADATA
          | INCOMPAT_NO_HOLES
          | INCOMPAT_METADATA_UUID
          | INCOMPAT_RAID1C34
          | INCOMPAT_SIMPLE_QUOTA;

  private static final String[] INCOMPAT_NAMES = {
    "mixed_backref",
    "default_subvol",
    "mixed_groups",
    "compress_lzo",
    "compress_zstd",
    "big_metadata",
    "extended_iref",
    "raid56",
    "skinny_metadata",
    "no_holes",
    "metadata_uuid",
    "raid1c34",
    "zoned",
    "extent_tree_v2",
    "raid_stripe_tree",
    "bit15",
    "simple_quota"
  };

  /** Names of the given incompat bits, e.g. "zoned", for error messages. */
  public static List<String> incompatNames(long bits) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      if ((bits & (1L << i)) != 0) {
        names.add(i < INCOMPAT_NAMES.length ? INCOMPAT_NAMES[i] : "incompat_bit" + i);
      }
    }
    return names;
  }
}
