package org.jbtrfs.tree.check;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.format.RootItemLayout;
import org.jbtrfs.format.TreeHeader;

/**
 * ROOT_ITEM: a valid tree key; the current or the legacy item size (the legacy one lacks the fields
 * from generation_v2 on, which then count as zero); no generation, v2 generation or last snapshot
 * from the future; a sector-aligned root block; root and drop levels below the maximum; and only
 * the read-only and dead subvolume flags.
 */
final class RootItemRules {
  private RootItemRules() {}

  private static final long KNOWN_FLAGS = RootItem.FLAG_RDONLY | RootItemLayout.FLAG_DEAD;

  static void check(ItemSlot s) throws FormatException {
    LocationKeyRules.checkRootKey(s, s.objectId, s.offset, true);
    if (s.size != RootItemLayout.SIZE && s.size != RootItem.LEGACY_SIZE) {
      throw s.corrupt(
          "invalid root item size, have "
              + s.size
              + " expect "
              + RootItemLayout.SIZE
              + " or "
              + RootItem.LEGACY_SIZE);
    }
    generation(s, s.u64(RootItemLayout.GENERATION), "invalid root generation");
    if (s.size == RootItemLayout.SIZE) {
      generation(s, s.u64(RootItemLayout.GENERATION_V2), "invalid root v2 generation");
    }
    generation(s, s.u64(RootItemLayout.LAST_SNAPSHOT), "invalid root last_snapshot");
    long bytenr = s.u64(RootItemLayout.BYTENR);
    if (!s.aligned(bytenr)) {
      throw s.corrupt(
          "invalid root bytenr, have "
              + ItemSlot.u(bytenr)
              + " expect to be aligned to "
              + s.ctx.sectorSize());
    }
    level(s, s.u8(RootItemLayout.LEVEL), "invalid root level");
    level(s, s.u8(RootItemLayout.DROP_LEVEL), "invalid root drop_level");
    long flags = s.u64(RootItemLayout.FLAGS);
    if ((flags & ~KNOWN_FLAGS) != 0) {
      throw s.corrupt(
          "invalid root flags, have "
              + ItemSlot.hex(flags)
              + " expect mask "
              + ItemSlot.hex(KNOWN_FLAGS));
    }
  }

  private static void generation(ItemSlot s, long gen, String rule) throws FormatException {
    long max = s.ctx.maxGeneration();
    if (Long.compareUnsigned(gen, max) > 0) {
      throw s.corrupt(rule + ", have " + ItemSlot.u(gen) + " expect (0, " + max + "]");
    }
  }

  private static void level(ItemSlot s, int level, String rule) throws FormatException {
    if (level >= TreeHeader.MAX_LEVEL) {
      throw s.corrupt(rule + ", have " + level + " expect [0, " + (TreeHeader.MAX_LEVEL - 1) + "]");
    }
  }
}
