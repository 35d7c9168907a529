package org.jbtrfs.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.util.TreeMap;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.ChunkItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.tree.BlockBuilder;
import org.jbtrfs.tree.TreeBlock;
import org.jbtrfs.tree.check.CheckContext;
import org.jbtrfs.tree.check.SysChunkArrayRules;
import org.jbtrfs.volume.BlockSource;
import org.jbtrfs.volume.ChunkMap;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.LogicalReader;

/**
 * The chunk map built the way a mount builds it, from fuzzed input, then used to map and read
 * logical addresses. Why: every logical address of every tree and extent goes through it, and its
 * arithmetic (stripes, RAID profiles, lengths near 2^64) is where an overflow turns into a read at
 * a wrong place or an exception nobody catches.
 *
 * <p>Input: [u16 array size][system chunk array], then chunk tree items as [u64 logical][u16
 * size][chunk item] up to a zero size, then probes as [u64 logical][u16 length][u8 mirror]. The
 * array goes through the superblock rules and loadSysChunkArray; the items are laid out in a chunk
 * tree leaf, read back through the tree checker (which checks them by the chunk item rules) and
 * added as Filesystem.open does. Seeds: the committed walk image's array and chunk tree.
 */
class ChunkMapFuzzTest {
  private static final int MAX_PROBES = 64;

  @InputTimeLimit(seconds = 10)
  @FuzzTest(maxDuration = "5m")
  void buildAndMap(byte[] input) {
    InputReader in = new InputReader(input);
    byte[] array = in.bytes(in.u16() % (Superblock.SYS_CHUNK_ARRAY_MAX + 1));
    TreeMap<Long, byte[]> items = new TreeMap<>(Long::compareUnsigned);
    for (int size; in.hasMore() && (size = in.u16() % MemoryBlocks.NODE_SIZE) != 0; ) {
      long logical = in.u64();
      items.put(logical, in.bytes(size));
    }
    ChunkMap chunks = new ChunkMap();
    try {
      CheckContext ctx =
          new CheckContext(
              MemoryBlocks.SECTOR_SIZE,
              MemoryBlocks.NODE_SIZE,
              4,
              MemoryBlocks.INCOMPAT,
              true,
              MemoryBlocks.COMMITTED_GENERATION,
              true);
      SysChunkArrayRules.check(array, ctx);
      chunks.loadSysChunkArray(array);
      if (!items.isEmpty()) addChunkTreeLeaf(chunks, items);
    } catch (IOException refused) {
      return; // a clean rejection of the array or of the chunk tree leaf
    }
    probe(new LogicalReader(chunks, ZERO_DEVICES), in);
  }

  /** The items as one chunk tree leaf, through the reader's checks, then into the map. */
  private static void addChunkTreeLeaf(ChunkMap chunks, TreeMap<Long, byte[]> items)
      throws IOException {
    BlockBuilder leaf =
        BlockBuilder.leaf(MemoryBlocks.BASE).owner(ObjectIds.CHUNK_TREE).generation(1);
    long room = MemoryBlocks.NODE_SIZE - org.jbtrfs.format.TreeHeader.SIZE;
    for (var e : items.entrySet()) {
      room -= org.jbtrfs.format.TreeHeader.ITEM_SIZE + e.getValue().length;
      if (room < 0) break;
      leaf.item(new Key(ObjectIds.FIRST_CHUNK_TREE, ItemType.CHUNK_ITEM, e.getKey()), e.getValue());
    }
    byte[] raw = leaf.bytes();
    System.arraycopy(MemoryBlocks.FSID, 0, raw, org.jbtrfs.format.TreeHeader.FSID, 16);
    FuzzImage.rechecksum(ChecksumType.CRC32C, raw, 0, raw.length);
    MemoryBlocks mem = new MemoryBlocks();
    mem.put(MemoryBlocks.BASE, raw);
    TreeBlock b = mem.reader().read(MemoryBlocks.BASE, 0, 0, ObjectIds.CHUNK_TREE, null, 0);
    for (int i = 0; i < b.nritems(); i++) {
      ChunkItem item = ChunkItem.parse(b.raw(), b.itemDataOffset(i), b.itemDataSize(i));
      chunks.add(ChunkMap.toMapping(b.keyOffsetField(i), item));
    }
  }

  /** Maps and reads the probed ranges, and the first and last byte of every chunk. */
  private static void probe(LogicalReader r, InputReader in) {
    long digest = 0;
    for (ChunkMapping c : r.chunks().all()) {
      digest += readOrRefuse(r, c.logical(), 1, 0) + readOrRefuse(r, c.end() - 1, 1, 0);
    }
    for (int i = 0; i < MAX_PROBES && in.hasMore(); i++) {
      long logical = in.u64();
      int len = in.u16() + 1;
      int mirror = in.u8() % 4;
      digest += readOrRefuse(r, logical, len, mirror);
      digest += r.describe(logical, len, mirror).length();
    }
    Sink.keep(digest);
  }

  private static long readOrRefuse(LogicalReader r, long logical, int len, int mirror) {
    try {
      int mirrors = r.mirrors(logical);
      long n = r.locate(logical, len, mirror % mirrors).size();
      byte[] buf = new byte[len];
      r.read(logical, buf, 0, len, mirror % mirrors);
      return n + mirrors;
    } catch (IOException refused) {
      return -1;
    }
  }

  /** Devices 1 to 8, all zeros: reads anywhere succeed, so the mapping is what is tested. */
  private static final BlockSource ZERO_DEVICES =
      new BlockSource() {
        @Override
        public boolean present(long devid) {
          return devid >= 1 && devid <= 8;
        }

        @Override
        public void read(long devid, long physical, byte[] buf, int off, int len)
            throws IOException {
          if (!present(devid)) throw new IOException("no device " + devid);
          java.util.Arrays.fill(buf, off, off + len, (byte) 0);
        }
      };
}
