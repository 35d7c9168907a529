package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.tree.BlockBuilder;
import org.junit.jupiter.api.Test;

class DirItemRulesTest {
  private static final Key FILE = new Key(257, ItemType.INODE_ITEM, 0);

  static byte[] entry(Key location, int type, String name, String value) {
    return new DirItem(
            location,
            7,
            type,
            name.getBytes(StandardCharsets.UTF_8),
            value.getBytes(StandardCharsets.UTF_8))
        .encode();
  }

  private static long hash(String name) {
    return NameHash.crc32cName(name.getBytes(StandardCharsets.UTF_8));
  }

  /** A directory 256 with "a" (DIR_ITEM and DIR_INDEX) and an xattr on it. */
  private static BlockBuilder dir() {
    return Fixture.leaf()
        .item(
            new Key(256, ItemType.XATTR_ITEM, hash("user.x")),
            entry(Key.MIN, FileType.XATTR, "user.x", "v"))
        .item(new Key(256, ItemType.DIR_ITEM, hash("a")), entry(FILE, FileType.REG, "a", ""))
        .item(new Key(256, ItemType.DIR_INDEX, 2), entry(FILE, FileType.REG, "a", ""));
  }

  @Test
  void acceptsEntriesXattrsSubvolumesAndEncryptedNames() {
    passes(dir().bytes());
    Key subvol = new Key(256, ItemType.ROOT_ITEM, -1L);
    passes(
        Fixture.leaf()
            .item(new Key(256, ItemType.DIR_ITEM, hash("s")), entry(subvol, FileType.DIR, "s", ""))
            .bytes());
    int encryptedReg = FileType.REG | FileType.ENCRYPTED;
    passes(
        Fixture.leaf()
            .item(new Key(256, ItemType.DIR_INDEX, 3), entry(FILE, encryptedReg, "e", ""))
            .bytes());
    // Two names with one hash share an item.
    byte[] a = entry(FILE, FileType.REG, "a", "");
    byte[] two = new byte[a.length * 2];
    System.arraycopy(a, 0, two, 0, a.length);
    System.arraycopy(a, 0, two, a.length, a.length);
    passes(Fixture.leaf().item(new Key(256, ItemType.DIR_ITEM, hash("a")), two).bytes());
  }

  @Test
  void rejectsNameHashMismatch() {
    byte[] raw = dir().bytes();
    raw[data(raw, 1) + DirItem.HEADER_SIZE] = 'b';
    fails(raw, "name hash mismatch with key");
  }

  @Test
  void rejectsBadType() {
    byte[] raw = dir().bytes();
    raw[data(raw, 2) + DirItem.OFF_TYPE] = 9;
    fails(raw, "invalid dir item type, have 9 expect (0, 9)");
    raw[data(raw, 2) + DirItem.OFF_TYPE] = 0;
    fails(raw, "invalid dir item type, have 0");
    byte[] notXattr = dir().bytes();
    notXattr[data(notXattr, 0) + DirItem.OFF_TYPE] = FileType.REG;
    fails(notXattr, "invalid dir item type for XATTR key, have 1 expect 8");
    byte[] xattrType = dir().bytes();
    xattrType[data(xattrType, 2) + DirItem.OFF_TYPE] = FileType.XATTR;
    fails(xattrType, "xattr dir type found for non-XATTR key");
  }

  @Test
  void rejectsDataOnADirectoryEntry() {
    byte[] raw =
        Fixture.leaf()
            .item(new Key(256, ItemType.DIR_INDEX, 2), entry(FILE, FileType.REG, "a", "x"))
            .bytes();
    fails(raw, "dir item with invalid data len, have 1 expect 0");
  }

  @Test
  void rejectsNameTooLongOrCrossingTheItem() {
    String longName = "n".repeat(256);
    byte[] tooLong =
        Fixture.leaf()
            .item(new Key(256, ItemType.DIR_INDEX, 2), entry(FILE, FileType.REG, longName, ""))
            .bytes();
    fails(tooLong, "dir item name len too long, have 256 max 255");
    byte[] crossing = dir().bytes();
    Le.put16(crossing, data(crossing, 2) + DirItem.OFF_NAME_LEN, 2);
    fails(crossing, "dir item data crosses item boundary, have 32 boundary 31");
    byte[] header = Fixture.leaf().item(256, ItemType.DIR_INDEX, 2, 20).bytes();
    fails(header, "dir item header crosses item boundary, have 30 boundary 20");
  }

  @Test
  void rejectsXattrTooBigForALeaf() {
    byte[] raw = dir().bytes();
    Le.put16(raw, data(raw, 0) + DirItem.OFF_DATA_LEN, 4000);
    fails(raw, "dir item name and data len too long, have 4006 max 3940");
  }

  @Test
  void rejectsBadLocation() {
    byte[] raw = dir().bytes();
    Le.put64(raw, data(raw, 2) + DirItem.OFF_LOCATION, 100);
    fails(raw, "invalid location key objectid: has 100");
    byte[] type = dir().bytes();
    type[data(type, 2) + DirItem.OFF_LOCATION + 8] = (byte) ItemType.INODE_REF;
    fails(type, "invalid location key type, have 12");
    byte[] xattr = dir().bytes();
    Le.put64(xattr, data(xattr, 0) + DirItem.OFF_LOCATION, 257);
    fails(xattr, "invalid location key for xattr");
    byte[] tree =
        Fixture.leaf()
            .item(
                new Key(256, ItemType.DIR_INDEX, 2),
                entry(new Key(2, ItemType.ROOT_ITEM, -1L), FileType.DIR, "s", ""))
            .bytes();
    fails(tree, "invalid location key objectid, have 2 expect [256, 18446744073709551360]");
  }

  @Test
  void rejectsAnEntryWhoseInodeItemIsMissing() {
    byte[] order =
        Fixture.leaf()
            .item(new Key(256, ItemType.INODE_ITEM, 0), InodeItemRulesTest.inode(040755, 1))
            .item(new Key(257, ItemType.DIR_INDEX, 2), entry(FILE, FileType.REG, "a", ""))
            .bytes();
    fails(order, "invalid previous key objectid, have 256 expect 257");
    // Outside file trees (here the log tree) the order is not kept.
    byte[] log =
        Fixture.leaf()
            .owner(-6L)
            .item(new Key(256, ItemType.INODE_ITEM, 0), InodeItemRulesTest.inode(040755, 1))
            .item(new Key(257, ItemType.DIR_INDEX, 2), entry(FILE, FileType.REG, "a", ""))
            .bytes();
    passes(log);
  }
}
