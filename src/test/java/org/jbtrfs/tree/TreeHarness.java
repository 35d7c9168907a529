package org.jbtrfs.tree;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;
import org.jbtrfs.volume.BlockSource;
import org.jbtrfs.volume.ChunkMap;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.LogicalReader;
import org.jbtrfs.volume.Stripe;

/**
 * A whole metadata stack in memory: one SINGLE metadata chunk over a map-backed device, the real
 * MetadataReader (checksums and tree-checker on every committed read), a counting allocator and a
 * dirty set. {@link #commit()} does what a transaction commit does to tree blocks: mark them
 * written, checksum them, write them out, forget the dirty set and move to the next transid.
 */
final class TreeHarness {
  static final long BASE = 1L << 30;
  static final long OWNER = 5;
  final int nodeSize;
  final byte[] fsid = uuid(0x11);
  final byte[] chunkUuid = uuid(0x22);
  final CountingAllocator allocator;
  final DirtyBlocks dirty = new DirtyBlocks();
  final Map<Long, byte[]> device = new HashMap<>(); // physical offset -> committed block
  final MetadataReader reader;
  long transid = 7;
  int commits;

  TreeHarness(int nodeSize) throws IOException {
    this.nodeSize = nodeSize;
    this.allocator = new CountingAllocator(BASE, nodeSize);
    ChunkMap chunks = new ChunkMap();
    chunks.add(
        new ChunkMapping(
            BASE, 1L << 40, 65536, 4 /* METADATA, SINGLE */, 1, List.of(new Stripe(1, 0))));
    BlockSource source =
        new BlockSource() {
          @Override
          public boolean present(long devid) {
            return devid == 1;
          }

          @Override
          public void read(long devid, long physical, byte[] buf, int off, int len)
              throws IOException {
            long blockStart = physical - Math.floorMod(physical, nodeSize);
            byte[] b = device.get(blockStart);
            if (b == null) throw new IOException("nothing written at physical " + physical);
            System.arraycopy(b, (int) (physical - blockStart), buf, off, len);
          }
        };
    reader =
        new MetadataReader(
            new LogicalReader(chunks, source),
            new BlockCache(1 << 20),
            ChecksumType.CRC32C,
            nodeSize,
            fsid);
    reader.setOverlay(dirty);
  }

  WriteContext ctx() {
    return new WriteContext(transid, nodeSize, fsid, chunkUuid, allocator, dirty, reader);
  }

  /** Writes the dirty blocks as a commit would, then starts the next transaction. */
  void commit() {
    for (Map.Entry<Long, byte[]> e : dirty.all().entrySet()) {
      byte[] b = e.getValue().clone();
      Le.put64(b, TreeHeader.FLAGS, Le.u64(b, TreeHeader.FLAGS) | TreeHeader.FLAG_WRITTEN);
      ChecksumType.CRC32C.compute(b, 32, nodeSize - 32, b, 0);
      device.put(e.getKey() - BASE, b);
    }
    for (long freed : allocator.drainFreed()) {
      device.remove(freed - BASE); // a dangling pointer to it must fail loudly
      reader.invalidate(freed);
    }
    dirty.clear();
    transid++;
    commits++;
  }

  /** The same tree reopened in the next transaction, as the commit's caller would do. */
  WritableTree reopen(WritableTree t) {
    return new WritableTree(ctx(), t.owner(), t.rootBytenr(), t.rootLevel(), t.rootGeneration());
  }

  private static byte[] uuid(int seed) {
    byte[] u = new byte[16];
    for (int i = 0; i < 16; i++) u[i] = (byte) (seed + i * 7);
    return u;
  }
}
