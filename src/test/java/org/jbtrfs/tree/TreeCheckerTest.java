package org.jbtrfs.tree;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.junit.jupiter.api.Test;

/**
 * Every structural defect the checker exists for, each introduced into an otherwise valid
 * hand-built block: a block that passes must be safe to decode without further bounds checks.
 */
class TreeCheckerTest {
  private static final long BYTENR = 30_408_704L;

  private static BlockBuilder threeItems() {
    return BlockBuilder.leaf(BYTENR)
        .item(256, ItemType.INODE_ITEM, 0, 160)
        .item(256, ItemType.INODE_REF, 256, 12)
        .item(257, ItemType.INODE_ITEM, 0, 160);
  }

  private static void check(byte[] raw, int expectedLevel) throws FormatException {
    TreeChecker.check(new TreeBlock(BYTENR, raw), BYTENR, BlockBuilder.FSID, expectedLevel);
  }

  private static void assertRejected(byte[] raw, int expectedLevel, String messagePart) {
    assertThatThrownBy(() -> check(raw, expectedLevel))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("tree block " + BYTENR)
        .hasMessageContaining(messagePart);
  }

  @Test
  void acceptsWellFormedLeafNodeAndEmptyLeaf() {
    assertThatCode(() -> check(threeItems().bytes(), 0)).doesNotThrowAnyException();
    assertThatCode(() -> check(threeItems().bytes(), -1)).doesNotThrowAnyException();
    assertThatCode(() -> check(BlockBuilder.leaf(BYTENR).bytes(), 0)).doesNotThrowAnyException();
    byte[] node =
        BlockBuilder.node(BYTENR, 1)
            .pointer(new Key(256, 1, 0), 1 << 20, 7)
            .pointer(new Key(300, 1, 0), 2 << 20, 7)
            .bytes();
    assertThatCode(() -> check(node, 1)).doesNotThrowAnyException();
  }

  @Test
  void rejectsWrongBytenr() {
    byte[] raw = threeItems().bytes();
    Le.put64(raw, TreeHeader.BYTENR, BYTENR + 16384);
    assertRejected(raw, 0, "bytenr");
  }

  @Test
  void rejectsWrongFsid() {
    byte[] raw = threeItems().bytes();
    raw[TreeHeader.FSID + 15] ^= 1;
    assertRejected(raw, 0, "fsid");
  }

  @Test
  void rejectsKeysOutOfOrderOrDuplicated() {
    byte[] swapped =
        BlockBuilder.leaf(BYTENR)
            .item(257, ItemType.INODE_ITEM, 0, 160)
            .item(256, ItemType.INODE_ITEM, 0, 160)
            .bytes();
    assertRejected(swapped, 0, "out of order");
    byte[] dup =
        BlockBuilder.leaf(BYTENR)
            .item(256, ItemType.INODE_ITEM, 0, 16)
            .item(256, ItemType.INODE_ITEM, 0, 16)
            .bytes();
    assertRejected(dup, 0, "out of order");
    // Unsigned order: objectid -10 after 5 is fine, the reverse is not.
    byte[] signed =
        BlockBuilder.leaf(BYTENR)
            .item(-10L, ItemType.EXTENT_CSUM, 0, 4)
            .item(5, ItemType.ROOT_ITEM, 0, 4)
            .bytes();
    assertRejected(signed, 0, "out of order");
    byte[] node =
        BlockBuilder.node(BYTENR, 1)
            .pointer(new Key(300, 1, 0), 1 << 20, 7)
            .pointer(new Key(256, 1, 0), 2 << 20, 7)
            .bytes();
    assertRejected(node, 1, "out of order");
  }

  @Test
  void rejectsItemDataOverlappingTheNextItem() {
    byte[] raw = threeItems().bytes();
    // Item 1 grows by 8 bytes into item 0's data.
    Le.put32(raw, BlockBuilder.itemAt(1) + TreeHeader.ITEM_DATA_SIZE, 12 + 8 + 160);
    assertRejected(raw, 0, "item 1 data out of bounds");
  }

  @Test
  void rejectsItemDataPastTheBlockEnd() {
    byte[] raw = threeItems().bytes();
    Le.put32(
        raw,
        BlockBuilder.itemAt(0) + TreeHeader.ITEM_DATA_OFFSET,
        BlockBuilder.NODE_SIZE - TreeHeader.SIZE - 100);
    assertRejected(raw, 0, "item 0 data out of bounds");
    byte[] huge = threeItems().bytes();
    Le.put32(huge, BlockBuilder.itemAt(0) + TreeHeader.ITEM_DATA_SIZE, Integer.MAX_VALUE);
    assertRejected(huge, 0, "item 0 data out of bounds");
  }

  @Test
  void rejectsItemDataInsideTheHeaderOrDescriptorsOrNegative() {
    byte[] intoDescriptors = threeItems().bytes();
    Le.put32(intoDescriptors, BlockBuilder.itemAt(2) + TreeHeader.ITEM_DATA_OFFSET, 10);
    assertRejected(intoDescriptors, 0, "item 2 data out of bounds");
    byte[] negativeOffset = threeItems().bytes();
    Le.put32(negativeOffset, BlockBuilder.itemAt(2) + TreeHeader.ITEM_DATA_OFFSET, -200);
    assertRejected(negativeOffset, 0, "item 2 data out of bounds");
    byte[] negativeSize = threeItems().bytes();
    Le.put32(negativeSize, BlockBuilder.itemAt(2) + TreeHeader.ITEM_DATA_SIZE, -1);
    assertRejected(negativeSize, 0, "item 2 data out of bounds");
  }

  @Test
  void rejectsItemCountThatCannotFit() {
    byte[] raw = threeItems().bytes();
    Le.put32(
        raw,
        TreeHeader.NRITEMS,
        (BlockBuilder.NODE_SIZE - TreeHeader.SIZE) / TreeHeader.ITEM_SIZE + 1);
    assertRejected(raw, 0, "item count");
    Le.put32(raw, TreeHeader.NRITEMS, -1);
    assertRejected(raw, 0, "item count");
    Le.put32(raw, TreeHeader.NRITEMS, Integer.MAX_VALUE);
    assertRejected(raw, 0, "item count");
    byte[] node = BlockBuilder.node(BYTENR, 1).pointer(new Key(1, 1, 1), 1 << 20, 7).bytes();
    Le.put32(
        node,
        TreeHeader.NRITEMS,
        (BlockBuilder.NODE_SIZE - TreeHeader.SIZE) / TreeHeader.KEY_PTR_SIZE + 1);
    assertRejected(node, 1, "item count");
  }

  @Test
  void rejectsLevelMismatchImpossibleLevelAndEmptyNode() {
    assertRejected(threeItems().bytes(), 1, "parent expects 1");
    byte[] node = BlockBuilder.node(BYTENR, 2).pointer(new Key(1, 1, 1), 1 << 20, 7).bytes();
    assertRejected(node, 1, "parent expects 1");
    byte[] deep = threeItems().bytes();
    deep[TreeHeader.LEVEL] = (byte) TreeHeader.MAX_LEVEL;
    assertRejected(deep, -1, "level 8");
    assertRejected(BlockBuilder.node(BYTENR, 1).bytes(), 1, "empty node");
  }
}
