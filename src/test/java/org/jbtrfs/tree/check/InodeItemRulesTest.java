package org.jbtrfs.tree.check;

import static org.jbtrfs.tree.check.Fixture.data;
import static org.jbtrfs.tree.check.Fixture.fails;
import static org.jbtrfs.tree.check.Fixture.passes;

import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.Timespec;
import org.junit.jupiter.api.Test;

class InodeItemRulesTest {
  static byte[] inode(int mode, long nlink) {
    Timespec t = new Timespec(1, 0);
    return new InodeItem(7, 7, 0, 0, 0, nlink, 0, 0, mode, 0, 0, 0, t, t, t, t).encode();
  }

  private static byte[] leaf(long ino, byte[] item) {
    return Fixture.leaf().item(new Key(ino, ItemType.INODE_ITEM, 0), item).bytes();
  }

  private static byte[] file() {
    return leaf(257, inode(0100644, 1));
  }

  @Test
  void acceptsEveryFileTypeAndTheSpecialInodes() {
    for (int fmt : new int[] {0100000, 0040000, 0120000, 0020000, 0060000, 0010000, 0140000}) {
      passes(leaf(257, inode(fmt | 07755, 1)));
    }
    passes(leaf(6, inode(0040755, 1))); // the root tree's directory
    passes(leaf(-12L, inode(0100600, 1))); // the old inode cache
    // A log tree holds the running transaction's inodes: one past the last commit.
    byte[] fromLog = file();
    Le.put64(fromLog, data(fromLog, 0) + InodeItem.OFF_GENERATION, Fixture.COMMITTED + 1);
    passes(fromLog);
  }

  @Test
  void rejectsUnknownModeBits() {
    // btrfs-progs fsck-tests/039-bad-inode-mode: a mode with bits above S_IFMT.
    fails(leaf(257, inode(0100644 | 0200000, 1)), "unknown mode bit detected: 0x10000");
  }

  @Test
  void rejectsNoOrMixedFileType() {
    fails(leaf(257, inode(0644, 1)), "invalid mode: has 00 expect valid S_IF* bit(s)");
    fails(leaf(257, inode(0030644, 1)), "invalid mode: has 030000");
  }

  @Test
  void rejectsDirectoryWithHardLinks() {
    passes(leaf(257, inode(0040755, 1)));
    fails(leaf(257, inode(0040755, 2)), "invalid nlink: has 2 expect no more than 1 for dir");
  }

  @Test
  void rejectsGenerationAndTransidFromTheFuture() {
    byte[] gen = file();
    Le.put64(gen, data(gen, 0) + InodeItem.OFF_GENERATION, Fixture.COMMITTED + 2);
    fails(gen, "invalid inode generation: has 102 expect (0, 101]");
    byte[] transid = file();
    Le.put64(transid, data(transid, 0) + InodeItem.OFF_TRANSID, -1L);
    fails(transid, "invalid inode transid");
  }

  @Test
  void rejectsUnknownFlags() {
    byte[] raw = file();
    Le.put64(raw, data(raw, 0) + InodeItem.OFF_FLAGS, InodeItem.FLAG_COMPRESS | (1L << 12));
    fails(raw, "unknown incompat flags detected: 0x1800");
  }

  @Test
  void rejectsUnknownReadOnlyFlagsOnlyWhenWriting() {
    byte[] raw = file();
    Le.put64(raw, data(raw, 0) + InodeItem.OFF_FLAGS, InodeItem.RO_FLAG_VERITY);
    passes(raw);
    Le.put64(raw, data(raw, 0) + InodeItem.OFF_FLAGS, 1L << 33);
    fails(raw, "unknown ro-compat flags detected on writeable mount: 0x2");
    passes(raw, Fixture.ctx(FeatureFlags.INCOMPAT_SKINNY_METADATA, true));
  }

  @Test
  void rejectsWrongSizeAndKey() {
    byte[] small = Fixture.leaf().item(257, ItemType.INODE_ITEM, 0, 100).bytes();
    fails(small, "invalid item size: has 100 expect 160");
    fails(leaf(255, inode(0100644, 1)), "invalid key objectid: has 255");
    byte[] offset =
        Fixture.leaf().item(new Key(257, ItemType.INODE_ITEM, 1), inode(0100644, 1)).bytes();
    fails(offset, "invalid key offset: has 1 expect 0");
  }
}
