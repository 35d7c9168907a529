package org.jbtrfs.tree;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.tree.check.CheckContext;
import org.jbtrfs.volume.BlockSource;
import org.jbtrfs.volume.ChunkMap;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.LogicalReader;
import org.jbtrfs.volume.Stripe;
import org.junit.jupiter.api.Test;

/**
 * A copy whose checksum is right but whose items break a rule is a bad copy, like one with a wrong
 * checksum: the read takes the other DUP copy, and fails naming the rule when both are bad.
 */
class ItemCheckedReadTest {
  private static final long BASE = 1L << 30;
  private static final long MIRROR = 1L << 28; // physical offset of the second DUP stripe
  private static final long DUP_METADATA = 4 | (1L << 5);

  private final Map<Long, byte[]> device = new HashMap<>();

  private MetadataReader reader() throws IOException {
    ChunkMap chunks = new ChunkMap();
    chunks.add(
        new ChunkMapping(
            BASE,
            1L << 24,
            65536,
            DUP_METADATA,
            1,
            List.of(new Stripe(1, 0), new Stripe(1, MIRROR))));
    CheckContext ctx = new CheckContext(4096, BlockBuilder.NODE_SIZE, 4, 0, true, 100, true);
    return new MetadataReader(
        new LogicalReader(chunks, source()),
        new BlockCache(1 << 20),
        ChecksumType.CRC32C,
        BlockBuilder.NODE_SIZE,
        BlockBuilder.FSID,
        ctx);
  }

  /** Device 1, its blocks keyed by physical offset in {@link #device}. */
  private BlockSource source() {
    return new BlockSource() {
      @Override
      public boolean present(long devid) {
        return devid == 1;
      }

      @Override
      public void read(long devid, long physical, byte[] buf, int off, int len) throws IOException {
        byte[] b = device.get(physical);
        if (b == null) throw new IOException("nothing at " + physical);
        System.arraycopy(b, 0, buf, off, len);
      }
    };
  }

  private static byte[] leaf(int mode) {
    Timespec t = new Timespec(1, 0);
    byte[] inode = new InodeItem(7, 7, 0, 0, 0, 1, 0, 0, mode, 0, 0, 0, t, t, t, t).encode();
    return BlockBuilder.withChecksum(
        BlockBuilder.leaf(BASE).item(new Key(257, ItemType.INODE_ITEM, 0), inode).bytes());
  }

  @Test
  void aCopyBreakingARuleFallsBackToTheGoodCopyThenFailsNamingTheRule() throws IOException {
    byte[] bad = leaf(0100644 | 0200000); // checksum recomputed: only the checker can tell
    device.put(0L, bad);
    device.put(MIRROR, leaf(0100644));
    TreeBlock got = reader().read(BASE, 7, 0);
    assertThat(Le.u32(got.raw(), got.itemDataOffset(0) + InodeItem.OFF_MODE)).isEqualTo(0100644);

    device.put(MIRROR, bad);
    assertThatThrownBy(() -> reader().read(BASE, 7, 0))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("tree block at logical " + BASE + " unreadable")
        .hasMessageContaining("copy 0")
        .hasMessageContaining("copy 1")
        .hasMessageContaining("unknown mode bit detected: 0x10000");
  }

  @Test
  void aReaderWithoutItemChecksTakesTheSameBlock() throws IOException {
    device.put(0L, leaf(0100644 | 0200000));
    ChunkMap chunks = new ChunkMap();
    chunks.add(new ChunkMapping(BASE, 1L << 24, 65536, 4, 1, List.of(new Stripe(1, 0))));
    MetadataReader plain =
        new MetadataReader(
            new LogicalReader(chunks, source()),
            new BlockCache(1 << 20),
            ChecksumType.CRC32C,
            BlockBuilder.NODE_SIZE,
            BlockBuilder.FSID);
    assertThat(plain.read(BASE, 7, 0).nritems()).isEqualTo(1);
  }
}
