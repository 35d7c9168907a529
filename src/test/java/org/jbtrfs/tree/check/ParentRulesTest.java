package org.jbtrfs.tree.check;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.tree.BlockBuilder;
import org.jbtrfs.tree.TreeBlock;
import org.junit.jupiter.api.Test;

/** A block against the pointer that reached it: its owner and its first key. */
class ParentRulesTest {
  private static final Key FIRST = new Key(256, ItemType.INODE_ITEM, 0);

  private static TreeBlock leaf(long owner, long generation) {
    return BlockBuilder.leaf(Fixture.BYTENR)
        .owner(owner)
        .generation(generation)
        .item(FIRST, InodeItemRulesTest.inode(040755, 1))
        .block();
  }

  /** A parent whose only pointer carries {@code key}; returns its bytes and the key's offset. */
  private static TreeBlock parent(Key key) {
    return BlockBuilder.node(1 << 20, 1).pointer(key, Fixture.BYTENR, 7).block();
  }

  @Test
  void acceptsTheOwnerAndFirstKeyThePointerPromises() {
    CheckContext ctx = Fixture.ctx();
    TreeBlock p = parent(FIRST);
    assertThatCode(
            () -> {
              ParentRules.checkOwner(leaf(ObjectIds.EXTENT_TREE, 7), ObjectIds.EXTENT_TREE, ctx);
              // A snapshot's tree shares blocks owned by the subvolume it was taken of.
              ParentRules.checkOwner(leaf(256, 7), 300, ctx);
              ParentRules.checkOwner(leaf(256, 7), ObjectIds.FS_TREE, ctx);
              // Log and relocation trees, and unknown trees, are not judged by owner.
              ParentRules.checkOwner(leaf(ObjectIds.TREE_LOG, 7), ObjectIds.TREE_LOG, ctx);
              ParentRules.checkOwner(leaf(9, 7), 0, ctx);
              ParentRules.checkFirstKey(leaf(5, 7), p.raw(), p.keyOffset(0), ctx);
            })
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsABlockOfAnotherTree() {
    CheckContext ctx = Fixture.ctx();
    assertThatThrownBy(
            () -> ParentRules.checkOwner(leaf(ObjectIds.CSUM_TREE, 7), ObjectIds.EXTENT_TREE, ctx))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("corrupted leaf, root=2 block=" + Fixture.BYTENR)
        .hasMessageContaining("owner mismatch, have 7 expect 2");
    assertThatThrownBy(() -> ParentRules.checkOwner(leaf(ObjectIds.EXTENT_TREE, 7), 257, ctx))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("owner mismatch, have 2 expect [256, 18446744073709551360]");
  }

  @Test
  void rejectsAFirstKeyOtherThanThePointers() {
    CheckContext ctx = Fixture.ctx();
    TreeBlock p = parent(new Key(256, ItemType.INODE_REF, 0));
    assertThatThrownBy(() -> ParentRules.checkFirstKey(leaf(5, 7), p.raw(), p.keyOffset(0), ctx))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("tree first key mismatch detected, bytenr=" + Fixture.BYTENR)
        .hasMessageContaining("key expected=(256 INODE_REF 0) has=(256 INODE_ITEM 0)");
    TreeBlock empty = BlockBuilder.leaf(Fixture.BYTENR).generation(7).block();
    assertThatThrownBy(() -> ParentRules.checkFirstKey(empty, p.raw(), p.keyOffset(0), ctx))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("nritems=0 expect >0");
    // A block of the running transaction (a log tree's) is not compared.
    assertThatCode(
            () ->
                ParentRules.checkFirstKey(
                    leaf(5, Fixture.COMMITTED + 1), p.raw(), p.keyOffset(0), ctx))
        .doesNotThrowAnyException();
  }
}
