package org.jbtrfs.tree.check;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.tree.BlockBuilder;
import org.jbtrfs.tree.TreeBlock;
import org.jbtrfs.tree.TreeChecker;

/**
 * Shared ground of the rule tests: a 4 KiB node/sector filesystem with crc32c, skinny metadata and
 * last commit 100, a builder for leaves at one address, and the two verdicts each test states.
 */
final class Fixture {
  private Fixture() {}

  static final long BYTENR = 30_408_704L;
  static final int SECTOR = 4096;
  static final long COMMITTED = 100;

  static CheckContext ctx() {
    return ctx(FeatureFlags.INCOMPAT_SKINNY_METADATA, false);
  }

  static CheckContext ctx(long incompat, boolean readOnly) {
    return new CheckContext(SECTOR, BlockBuilder.NODE_SIZE, 4, incompat, readOnly, COMMITTED, true);
  }

  static BlockBuilder leaf() {
    return BlockBuilder.leaf(BYTENR);
  }

  /** Absolute offset of slot {@code slot}'s item data in a leaf's bytes. */
  static int data(byte[] raw, int slot) {
    return TreeHeader.SIZE + Le.i32(raw, BlockBuilder.itemAt(slot) + TreeHeader.ITEM_DATA_OFFSET);
  }

  static void check(byte[] raw, CheckContext ctx) throws FormatException {
    TreeBlock b = new TreeBlock(BYTENR, raw);
    TreeChecker.check(b, BYTENR, BlockBuilder.FSID, -1);
    ItemChecker.check(b, ctx);
  }

  static void passes(byte[] raw) {
    passes(raw, ctx());
  }

  static void passes(byte[] raw, CheckContext ctx) {
    assertThatCode(() -> check(raw, ctx)).doesNotThrowAnyException();
  }

  static void fails(byte[] raw, String rule) {
    fails(raw, ctx(), rule);
  }

  /** Checks the block, which must pass, and returns the warnings the rules logged meanwhile. */
  static java.util.List<String> warnings(byte[] raw) {
    java.util.List<String> out = new java.util.ArrayList<>();
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(ItemSlot.class.getName());
    java.util.logging.Handler h =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            out.add(r.getMessage());
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(h);
    try {
      passes(raw);
    } finally {
      log.removeHandler(h);
    }
    return out;
  }

  /** The block is rejected by {@code rule}, and the message says where. */
  static void fails(byte[] raw, CheckContext ctx, String rule) {
    assertThatThrownBy(() -> check(raw, ctx))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("block=" + BYTENR)
        .hasMessageContaining("slot=")
        .hasMessageContaining(rule);
  }
}
