package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import java.nio.charset.StandardCharsets;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.RootItemLayout;
import org.jbtrfs.format.RootRef;
import org.junit.jupiter.api.Test;

/** ROOT_ITEM, ROOT_REF and ROOT_BACKREF (root tree). */
class RootItemRulesTest {
  private static byte[] root(int size) {
    byte[] b = new byte[size];
    Le.put64(b, RootItemLayout.GENERATION, 50);
    Le.put64(b, RootItemLayout.BYTENR, 1 << 22);
    Le.put32(b, RootItemLayout.REFS, 1);
    if (size > RootItem.LEGACY_SIZE) Le.put64(b, RootItemLayout.GENERATION_V2, 50);
    return b;
  }

  private static byte[] ref(String name) {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[RootRef.HEADER_SIZE + n.length];
    Le.put64(b, 0, 256);
    Le.put64(b, 8, 2);
    Le.put16(b, RootRef.OFF_NAME_LEN, n.length);
    System.arraycopy(n, 0, b, RootRef.HEADER_SIZE, n.length);
    return b;
  }

  private static byte[] roots() {
    return Fixture.leaf()
        .owner(ObjectIds.ROOT_TREE)
        .item(new Key(ObjectIds.EXTENT_TREE, ItemType.ROOT_ITEM, 0), root(RootItem.LEGACY_SIZE))
        .item(new Key(ObjectIds.FS_TREE, ItemType.ROOT_ITEM, 0), root(RootItemLayout.SIZE))
        .item(new Key(ObjectIds.FS_TREE, ItemType.ROOT_REF, 256), ref("sub"))
        .item(new Key(256, ItemType.ROOT_ITEM, 40), root(RootItemLayout.SIZE))
        .item(new Key(256, ItemType.ROOT_BACKREF, 5), ref("sub"))
        .item(new Key(ObjectIds.TREE_RELOC, ItemType.ROOT_ITEM, 256), root(RootItemLayout.SIZE))
        .bytes();
  }

  @Test
  void acceptsCurrentAndLegacyRootItemsAndRefs() {
    passes(roots());
  }

  @Test
  void rejectsGenerationsFromTheFuture() {
    int[] fields = {
      RootItemLayout.GENERATION, RootItemLayout.GENERATION_V2, RootItemLayout.LAST_SNAPSHOT
    };
    String[] rules = {
      "invalid root generation, have 102 expect (0, 101]",
      "invalid root v2 generation",
      "invalid root last_snapshot"
    };
    for (int i = 0; i < fields.length; i++) {
      byte[] raw = roots();
      Le.put64(raw, data(raw, 1) + fields[i], Fixture.COMMITTED + 2);
      fails(raw, rules[i]);
    }
  }

  @Test
  void rejectsBadBytenrLevelsAndFlags() {
    byte[] bytenr = roots();
    Le.put64(bytenr, data(bytenr, 1) + RootItemLayout.BYTENR, (1 << 22) + 100);
    fails(bytenr, "invalid root bytenr, have 4194404 expect to be aligned to 4096");
    byte[] level = roots();
    level[data(level, 1) + RootItemLayout.LEVEL] = 8;
    fails(level, "invalid root level, have 8 expect [0, 7]");
    byte[] drop = roots();
    drop[data(drop, 1) + RootItemLayout.DROP_LEVEL] = 9;
    fails(drop, "invalid root drop_level, have 9 expect [0, 7]");
    byte[] flags = roots();
    Le.put64(flags, data(flags, 1) + RootItemLayout.FLAGS, RootItem.FLAG_RDONLY | 2);
    fails(flags, "invalid root flags, have 0x3 expect mask 0x1000000000001");
    Le.put64(flags, data(flags, 1) + RootItemLayout.FLAGS, RootItemLayout.FLAG_DEAD);
    passes(flags);
  }

  @Test
  void rejectsBadSizeAndKeys() {
    fails(
        Fixture.leaf().item(new Key(5, ItemType.ROOT_ITEM, 0), root(300)).bytes(),
        "invalid root item size, have 300 expect 439 or 239");
    fails(
        Fixture.leaf().item(new Key(0, ItemType.ROOT_ITEM, 0), root(RootItemLayout.SIZE)).bytes(),
        "invalid root id 0");
    fails(
        Fixture.leaf()
            .item(new Key(ObjectIds.TREE_RELOC, ItemType.ROOT_ITEM, 2), root(RootItemLayout.SIZE))
            .bytes(),
        "invalid reloc tree for root 2, root id is not a subvolume tree");
  }

  @Test
  void rejectsARootRefNameCrossingTheItem() {
    byte[] raw = roots();
    Le.put16(raw, data(raw, 2) + RootRef.OFF_NAME_LEN, 4);
    fails(raw, "root ref name overflows item, namelen 4 item size 21");
    fails(
        Fixture.leaf().item(5, ItemType.ROOT_REF, 256, 17).bytes(),
        "invalid root ref item size, have 17 expect >= 18");
  }
}
