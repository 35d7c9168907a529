package org.jbtrfs.fuzz;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.FeatureFlags;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.tree.BlockCache;
import org.jbtrfs.tree.MetadataReader;
import org.jbtrfs.tree.check.CheckContext;
import org.jbtrfs.volume.BlockSource;
import org.jbtrfs.volume.ChunkMap;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.LogicalReader;
import org.jbtrfs.volume.Stripe;

/**
 * Tree blocks held in memory behind a real MetadataReader: one SINGLE metadata chunk at {@link
 * #BASE} on device 1, so a fuzzed block goes through the same checksum, structure and item checks
 * as a block read from a disk. A new instance per input, so no block is served from the cache of an
 * earlier one.
 */
final class MemoryBlocks implements BlockSource {
  static final long BASE = 1L << 30;
  static final int NODE_SIZE = 4096;
  static final int SECTOR_SIZE = 4096;
  static final byte[] FSID = new byte[16];

  /** The features of a default mkfs.btrfs (the seeds come from one). */
  static final long INCOMPAT =
      FeatureFlags.INCOMPAT_MIXED_BACKREF
          | FeatureFlags.INCOMPAT_BIG_METADATA
          | FeatureFlags.INCOMPAT_EXTENDED_IREF
          | FeatureFlags.INCOMPAT_SKINNY_METADATA
          | FeatureFlags.INCOMPAT_NO_HOLES;

  /** Newer than any seed's generation, so the generation rules pass a realistic block. */
  static final long COMMITTED_GENERATION = 1L << 20;

  static {
    for (int i = 0; i < 16; i++) FSID[i] = (byte) (0x10 + i);
  }

  private final Map<Long, byte[]> blocks = new HashMap<>();

  /** Stores {@code raw} (a whole node) at logical {@code bytenr}. */
  void put(long bytenr, byte[] raw) {
    blocks.put(bytenr - BASE, raw);
  }

  MetadataReader reader() throws FormatException {
    ChunkMap chunks = new ChunkMap();
    chunks.add(
        new ChunkMapping(
            BASE, 1L << 24, 65536, BlockGroupItem.TYPE_METADATA, 1, List.of(new Stripe(1, 0))));
    CheckContext ctx =
        new CheckContext(SECTOR_SIZE, NODE_SIZE, 4, INCOMPAT, true, COMMITTED_GENERATION, true);
    return new MetadataReader(
        new LogicalReader(chunks, this),
        new BlockCache(1 << 20),
        ChecksumType.CRC32C,
        NODE_SIZE,
        FSID,
        ctx);
  }

  @Override
  public boolean present(long devid) {
    return devid == 1;
  }

  @Override
  public void read(long devid, long physical, byte[] buf, int off, int len) throws IOException {
    byte[] b = blocks.get(physical);
    if (b == null || len > b.length) throw new IOException("nothing at " + physical);
    System.arraycopy(b, 0, buf, off, len);
  }
}
