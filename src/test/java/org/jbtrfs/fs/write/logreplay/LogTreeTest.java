package org.jbtrfs.fs.write.logreplay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.TreeMap;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.ObjectIds;
import org.junit.jupiter.api.Test;

/** The questions replay asks of a log, on hand-built logs. */
class LogTreeTest {
  private static final int SECTOR = 4096;
  private static final int CSUM = 4;

  private static byte[] name(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  @Test
  void csumsAreCutToTheAskedRangeAcrossItemsAndGaps() {
    TreeMap<Key, byte[]> items = new TreeMap<>();
    // Item 1: sectors at 1 MiB .. +4 sectors, sums 1..4; item 2 after a two-sector gap: 7..8.
    items.put(csumKey(1 << 20), sums(1, 4));
    items.put(csumKey((1 << 20) + 6L * SECTOR), sums(7, 2));
    items.put(new Key(257, ItemType.INODE_ITEM, 0), new byte[160]);
    LogTree log = new LogTree(5, items);

    List<LogTree.CsumRun> runs =
        log.csums((1 << 20) + SECTOR, (1 << 20) + 7L * SECTOR, SECTOR, CSUM);

    assertThat(runs).hasSize(2);
    assertThat(runs.get(0).start()).isEqualTo((1 << 20) + SECTOR);
    assertThat(runs.get(0).sums()).isEqualTo(sums(2, 3));
    assertThat(runs.get(1).start()).isEqualTo((1 << 20) + 6L * SECTOR);
    assertThat(runs.get(1).sums()).isEqualTo(sums(7, 1));
    assertThat(log.csums(0, 1 << 20, SECTOR, CSUM)).isEmpty();
  }

  @Test
  void dirLogRangesAreTheDirectorysOwnInKeyOrder() throws Exception {
    TreeMap<Key, byte[]> items = new TreeMap<>();
    items.put(new Key(258, ItemType.DIR_LOG_INDEX, 2), end(2));
    items.put(new Key(258, ItemType.DIR_LOG_INDEX, 5), end(-1L));
    items.put(new Key(259, ItemType.DIR_LOG_INDEX, 0), end(-1L));
    LogTree log = new LogTree(5, items);

    List<long[]> ranges = log.dirLogRanges(258);

    assertThat(ranges).hasSize(2);
    assertThat(ranges.get(0)).containsExactly(2, 2);
    assertThat(ranges.get(1)).containsExactly(5, -1L);
  }

  @Test
  void namesAreFoundByRefExtrefDirIndexAndXattr() throws Exception {
    TreeMap<Key, byte[]> items = new TreeMap<>();
    items.put(
        new Key(260, ItemType.INODE_REF, 256),
        concat(
            new InodeRef(256, 3, name("a")).encodeRef(),
            new InodeRef(256, 4, name("b")).encodeRef()));
    items.put(
        new Key(260, ItemType.INODE_EXTREF, NameHash.extrefHash(300, name("c"))),
        new InodeRef(300, 9, name("c")).encodeExtref());
    items.put(new Key(256, ItemType.DIR_INDEX, 3), entry(260, "a", new byte[0]));
    items.put(
        new Key(260, ItemType.XATTR_ITEM, NameHash.crc32cName(name("user.x"))),
        entry(0, "user.x", name("v")));
    LogTree log = new LogTree(5, items);

    assertThat(log.refHasName(260, 256, name("b"))).isTrue();
    assertThat(log.refHasName(260, 256, name("z"))).isFalse();
    assertThat(log.refHasName(260, 257, name("a"))).isFalse();
    assertThat(log.extrefHasName(260, 300, name("c"))).isTrue();
    assertThat(log.extrefHasName(260, 301, name("c"))).isFalse();
    assertThat(log.hasDirIndex(256, 3, name("a"))).isTrue();
    assertThat(log.hasDirIndex(256, 3, name("b"))).isFalse();
    assertThat(log.hasXattr(260, name("user.x"))).isTrue();
    assertThat(log.hasXattr(260, name("user.y"))).isFalse();
  }

  private static byte[] entry(long ino, String n, byte[] data) {
    return new DirItem(new Key(ino, ItemType.INODE_ITEM, 0), 8, 1, name(n), data).encode();
  }

  private static Key csumKey(long logical) {
    return new Key(ObjectIds.EXTENT_CSUM, ItemType.EXTENT_CSUM, logical);
  }

  /** {@code count} 4-byte sums whose values are first, first+1, ... */
  private static byte[] sums(int first, int count) {
    byte[] b = new byte[count * CSUM];
    for (int i = 0; i < count; i++) Le.put32(b, i * CSUM, first + i);
    return b;
  }

  private static byte[] end(long v) {
    byte[] b = new byte[8];
    Le.put64(b, 0, v);
    return b;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
