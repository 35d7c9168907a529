package org.jbtrfs.format;

import java.util.Map;

/** Item key types, as numbered in the on-disk format. */
public final class ItemType {
  private ItemType() {}

  public static final int INODE_ITEM = 1;
  public static final int INODE_REF = 12;
  public static final int INODE_EXTREF = 13;
  public static final int XATTR_ITEM = 24;
  public static final int VERITY_DESC_ITEM = 36;
  public static final int VERITY_MERKLE_ITEM = 37;
  public static final int ORPHAN_ITEM = 48;
  public static final int DIR_LOG_ITEM = 60;
  public static final int DIR_LOG_INDEX = 72;
  public static final int DIR_ITEM = 84;
  public static final int DIR_INDEX = 96;
  public static final int EXTENT_DATA = 108;
  public static final int EXTENT_CSUM = 128;
  public static final int ROOT_ITEM = 132;
  public static final int ROOT_BACKREF = 144;
  public static final int ROOT_REF = 156;
  public static final int EXTENT_ITEM = 168;
  public static final int METADATA_ITEM = 169;
  public static final int EXTENT_OWNER_REF = 172;
  public static final int TREE_BLOCK_REF = 176;
  public static final int EXTENT_DATA_REF = 178;
  public static final int SHARED_BLOCK_REF = 182;
  public static final int SHARED_DATA_REF = 184;
  public static final int BLOCK_GROUP_ITEM = 192;
  public static final int FREE_SPACE_INFO = 198;
  public static final int FREE_SPACE_EXTENT = 199;
  public static final int FREE_SPACE_BITMAP = 200;
  public static final int DEV_EXTENT = 204;
  public static final int DEV_ITEM = 216;
  public static final int CHUNK_ITEM = 228;
  public static final int QGROUP_STATUS = 240;
  public static final int QGROUP_INFO = 242;
  public static final int QGROUP_LIMIT = 244;
  public static final int QGROUP_RELATION = 246;
  public static final int TEMPORARY_ITEM = 248;
  public static final int PERSISTENT_ITEM = 249;
  public static final int DEV_REPLACE = 250;
  public static final int UUID_KEY_SUBVOL = 251;
  public static final int UUID_KEY_RECEIVED_SUBVOL = 252;
  public static final int STRING_ITEM = 253;

  private static final Map<Integer, String> NAMES =
      Map.ofEntries(
          Map.entry(INODE_ITEM, "INODE_ITEM"),
          Map.entry(INODE_REF, "INODE_REF"),
          Map.entry(INODE_EXTREF, "INODE_EXTREF"),
          Map.entry(XATTR_ITEM, "XATTR_ITEM"),
          Map.entry(VERITY_DESC_ITEM, "VERITY_DESC_ITEM"),
          Map.entry(VERITY_MERKLE_ITEM, "VERITY_MERKLE_ITEM"),
          Map.entry(ORPHAN_ITEM, "ORPHAN_ITEM"),
          Map.entry(DIR_LOG_ITEM, "DIR_LOG_ITEM"),
          Map.entry(DIR_LOG_INDEX, "DIR_LOG_INDEX"),
          Map.entry(DIR_ITEM, "DIR_ITEM"),
          Map.entry(DIR_INDEX, "DIR_INDEX"),
          Map.entry(EXTENT_DATA, "EXTENT_DATA"),
          Map.entry(EXTENT_CSUM, "EXTENT_CSUM"),
          Map.entry(ROOT_ITEM, "ROOT_ITEM"),
          Map.entry(ROOT_BACKREF, "ROOT_BACKREF"),
          Map.entry(ROOT_REF, "ROOT_REF"),
          Map.entry(EXTENT_ITEM, "EXTENT_ITEM"),
          Map.entry(METADATA_ITEM, "METADATA_ITEM"),
          Map.entry(EXTENT_OWNER_REF, "EXTENT_OWNER_REF"),
          Map.entry(TREE_BLOCK_REF, "TREE_BLOCK_REF"),
          Map.entry(EXTENT_DATA_REF, "EXTENT_DATA_REF"),
          Map.entry(SHARED_BLOCK_REF, "SHARED_BLOCK_REF"),
          Map.entry(SHARED_DATA_REF, "SHARED_DATA_REF"),
          Map.entry(BLOCK_GROUP_ITEM, "BLOCK_GROUP_ITEM"),
          Map.entry(FREE_SPACE_INFO, "FREE_SPACE_INFO"),
          Map.entry(FREE_SPACE_EXTENT, "FREE_SPACE_EXTENT"),
          Map.entry(FREE_SPACE_BITMAP, "FREE_SPACE_BITMAP"),
          Map.entry(DEV_EXTENT, "DEV_EXTENT"),
          Map.entry(DEV_ITEM, "DEV_ITEM"),
          Map.entry(CHUNK_ITEM, "CHUNK_ITEM"),
          Map.entry(QGROUP_STATUS, "QGROUP_STATUS"),
          Map.entry(QGROUP_INFO, "QGROUP_INFO"),
          Map.entry(QGROUP_LIMIT, "QGROUP_LIMIT"),
          Map.entry(QGROUP_RELATION, "QGROUP_RELATION"),
          Map.entry(TEMPORARY_ITEM, "TEMPORARY_ITEM"),
          Map.entry(PERSISTENT_ITEM, "PERSISTENT_ITEM"),
          Map.entry(DEV_REPLACE, "DEV_REPLACE"),
          Map.entry(UUID_KEY_SUBVOL, "UUID_KEY_SUBVOL"),
          Map.entry(UUID_KEY_RECEIVED_SUBVOL, "UUID_KEY_RECEIVED_SUBVOL"),
          Map.entry(STRING_ITEM, "STRING_ITEM"));

  public static String name(int type) {
    String n = NAMES.get(type);
    return n != null ? n : "UNKNOWN." + type;
  }
}
