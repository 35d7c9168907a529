package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.BlockBuilder;
import org.junit.jupiter.api.Test;

/** Rules of a whole block: the WRITTEN flag, empty leaves, node pointers; and the off switch. */
class BlockRulesTest {
  private static BlockBuilder node() {
    return BlockBuilder.node(Fixture.BYTENR, 1)
        .generation(50)
        .pointer(new Key(256, 1, 0), 1 << 20, 40)
        .pointer(new Key(300, 1, 0), 2 << 20, 50);
  }

  @Test
  void acceptsANodeAndEmptyLeavesOfTreesThatMayBeEmpty() {
    passes(node().bytes());
    for (long owner : new long[] {ObjectIds.CSUM_TREE, ObjectIds.UUID_TREE, 256, -6L}) {
      passes(Fixture.leaf().owner(owner).bytes());
    }
    // Relocation blocks carry the owner of the tree they relocate.
    long reloc = TreeHeader.FLAG_WRITTEN | TreeHeader.FLAG_RELOC;
    passes(Fixture.leaf().owner(ObjectIds.FS_TREE).flags(reloc).bytes());
  }

  @Test
  void rejectsEmptyLeavesOfTreesThatAlwaysHoldItems() {
    for (long owner :
        new long[] {
          ObjectIds.ROOT_TREE,
          ObjectIds.CHUNK_TREE,
          ObjectIds.DEV_TREE,
          ObjectIds.FS_TREE,
          ObjectIds.DATA_RELOC_TREE,
          ObjectIds.EXTENT_TREE
        }) {
      fails(Fixture.leaf().owner(owner).bytes(), "must never be empty");
    }
    fails(Fixture.leaf().owner(0).bytes(), "invalid owner, root 0 is not defined");
  }

  @Test
  void rejectsABlockNotMarkedWritten() {
    fails(Fixture.leaf().owner(7).flags(0).bytes(), "invalid flag for leaf, WRITTEN not set");
    fails(node().flags(0).bytes(), "invalid flag for node, WRITTEN not set");
  }

  @Test
  void rejectsBadNodePointers() {
    fails(
        node().pointer(new Key(400, 1, 0), 0, 50).bytes(),
        "slot=2 key=(400 INODE_ITEM 0), invalid NULL node pointer");
    fails(
        node().pointer(new Key(400, 1, 0), (3 << 20) + 512, 50).bytes(),
        "unaligned pointer, have 3146240 should be aligned to 4096");
    fails(
        node().pointer(new Key(400, 1, 0), 3 << 20, 51).bytes(),
        "child generation 51 newer than the node's generation 50");
  }

  @Test
  void checksNothingWhenSwitchedOff() {
    CheckContext off = new CheckContext(4096, BlockBuilder.NODE_SIZE, 4, 0, false, 100, false);
    passes(Fixture.leaf().owner(ObjectIds.ROOT_TREE).flags(0).bytes(), off);
  }
}
