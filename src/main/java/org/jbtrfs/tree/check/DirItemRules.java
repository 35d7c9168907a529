package org.jbtrfs.tree.check;

import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.NameHash;

/**
 * DIR_ITEM, DIR_INDEX and XATTR_ITEM: every entry packed into the item stays inside it, points at
 * an inode or a subvolume (an xattr at nothing), has a real type (xattr type exactly for xattr
 * keys), a name no longer than the limit, data only when it is an xattr, and for DIR_ITEM and
 * XATTR_ITEM a key offset that is the name's hash (a lookup by name would miss it otherwise).
 */
final class DirItemRules {
  private DirItemRules() {}

  static void check(ItemSlot s) throws FormatException {
    InodeOrderRule.check(s);
    byte[] raw = s.raw;
    int maxNameAndData = s.ctx.maxItemSize() - DirItem.HEADER_SIZE;
    int cur = 0;
    while (cur < s.size) {
      if (cur + DirItem.HEADER_SIZE > s.size) {
        throw s.corrupt(
            "dir item header crosses item boundary, have "
                + (cur + DirItem.HEADER_SIZE)
                + " boundary "
                + s.size);
      }
      int at = s.data + cur;
      int locOff = at + DirItem.OFF_LOCATION;
      long locId = Le.u64(raw, locOff);
      int locType = Le.u8(raw, locOff + 8);
      long locOffset = Le.u64(raw, locOff + 9);
      if (locType == ItemType.ROOT_ITEM) {
        LocationKeyRules.checkRootKey(s, locId, locOffset, false);
      } else if (locType == ItemType.INODE_ITEM || locType == 0) {
        LocationKeyRules.checkInodeKey(s, locId, locType, locOffset, false);
      } else {
        throw s.corrupt(
            "invalid location key type, have "
                + locType
                + ", expect "
                + ItemType.ROOT_ITEM
                + " or "
                + ItemType.INODE_ITEM);
      }
      int dirType = Le.u8(raw, at + DirItem.OFF_TYPE) & ~FileType.ENCRYPTED;
      if (dirType <= FileType.UNKNOWN || dirType >= FileType.COUNT) {
        throw s.corrupt(
            "invalid dir item type, have " + dirType + " expect (0, " + FileType.COUNT + ")");
      }
      boolean xattrKey = s.type == ItemType.XATTR_ITEM;
      if (xattrKey && dirType != FileType.XATTR) {
        throw s.corrupt(
            "invalid dir item type for XATTR key, have " + dirType + " expect " + FileType.XATTR);
      }
      if (!xattrKey && dirType == FileType.XATTR) {
        throw s.corrupt("xattr dir type found for non-XATTR key");
      }
      int nameLen = Le.u16(raw, at + DirItem.OFF_NAME_LEN);
      int dataLen = Le.u16(raw, at + DirItem.OFF_DATA_LEN);
      int maxName = xattrKey ? DirItem.XATTR_NAME_MAX : DirItem.NAME_MAX;
      if (nameLen > maxName) {
        throw s.corrupt("dir item name len too long, have " + nameLen + " max " + maxName);
      }
      if (nameLen + dataLen > maxNameAndData) {
        throw s.corrupt(
            "dir item name and data len too long, have "
                + (nameLen + dataLen)
                + " max "
                + maxNameAndData);
      }
      if (dataLen != 0 && dirType != FileType.XATTR) {
        throw s.corrupt("dir item with invalid data len, have " + dataLen + " expect 0");
      }
      int total = DirItem.HEADER_SIZE + nameLen + dataLen;
      if (cur + total > s.size) {
        throw s.corrupt(
            "dir item data crosses item boundary, have " + (cur + total) + " boundary " + s.size);
      }
      // DIR_INDEX is keyed by the entry's index, the other two by the name's hash.
      if (s.type != ItemType.DIR_INDEX) {
        int nameAt = at + DirItem.HEADER_SIZE;
        long hash = Integer.toUnsignedLong(NameHash.rawCrc32c(~1, raw, nameAt, nameLen));
        if (hash != s.offset) {
          throw s.corrupt(
              "name hash mismatch with key, have "
                  + ItemSlot.hex(hash)
                  + " expect "
                  + ItemSlot.hex(s.offset));
        }
      }
      cur += total;
    }
  }
}
