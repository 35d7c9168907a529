package org.jbtrfs.tree;

import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.ChecksumType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * Lays out tree blocks by hand, so checker and search tests control every header field and item
 * descriptor. Leaf item data is packed down from the block end, as the kernel does; tests then
 * damage one field of the result with {@link Le} writes.
 */
public final class BlockBuilder {
  public static final int NODE_SIZE = 4096;
  public static final byte[] FSID = new byte[16];

  static {
    for (int i = 0; i < 16; i++) FSID[i] = (byte) (0xA0 + i);
  }

  private final long bytenr;
  private final int level;
  private final List<Key> keys = new ArrayList<>();
  private final List<byte[]> payloads = new ArrayList<>();
  private final List<long[]> pointers = new ArrayList<>();
  private long owner = 5;
  private long generation = 7;
  private long flags = TreeHeader.FLAG_WRITTEN | (1L << TreeHeader.BACKREF_REV_SHIFT);

  private BlockBuilder(long bytenr, int level) {
    this.bytenr = bytenr;
    this.level = level;
  }

  public static BlockBuilder leaf(long bytenr) {
    return new BlockBuilder(bytenr, 0);
  }

  public static BlockBuilder node(long bytenr, int level) {
    return new BlockBuilder(bytenr, level);
  }

  /** The tree the block belongs to (header owner); 5, the top file tree, unless set. */
  public BlockBuilder owner(long id) {
    owner = id;
    return this;
  }

  public BlockBuilder generation(long gen) {
    generation = gen;
    return this;
  }

  public BlockBuilder flags(long headerFlags) {
    flags = headerFlags;
    return this;
  }

  public BlockBuilder item(Key key, byte[] data) {
    keys.add(key);
    payloads.add(data);
    return this;
  }

  public BlockBuilder item(long objectId, int type, long offset, int dataSize) {
    return item(new Key(objectId, type, offset), new byte[dataSize]);
  }

  public BlockBuilder pointer(Key key, long child, long generation) {
    keys.add(key);
    pointers.add(new long[] {child, generation});
    return this;
  }

  public byte[] bytes() {
    byte[] raw = new byte[NODE_SIZE];
    System.arraycopy(FSID, 0, raw, TreeHeader.FSID, 16);
    Le.put64(raw, TreeHeader.BYTENR, bytenr);
    Le.put64(raw, TreeHeader.FLAGS, flags);
    Le.put64(raw, TreeHeader.GENERATION, generation);
    Le.put64(raw, TreeHeader.OWNER, owner);
    Le.put32(raw, TreeHeader.NRITEMS, keys.size());
    raw[TreeHeader.LEVEL] = (byte) level;
    int dataEnd = NODE_SIZE - TreeHeader.SIZE; // item offsets are relative to the header's end
    for (int i = 0; i < keys.size(); i++) {
      int at = TreeHeader.SIZE + i * (level == 0 ? TreeHeader.ITEM_SIZE : TreeHeader.KEY_PTR_SIZE);
      keys.get(i).write(raw, at);
      if (level == 0) {
        byte[] data = payloads.get(i);
        dataEnd -= data.length;
        Le.put32(raw, at + TreeHeader.ITEM_DATA_OFFSET, dataEnd);
        Le.put32(raw, at + TreeHeader.ITEM_DATA_SIZE, data.length);
        System.arraycopy(data, 0, raw, TreeHeader.SIZE + dataEnd, data.length);
      } else {
        Le.put64(raw, at + TreeHeader.KEY_PTR_BLOCKPTR, pointers.get(i)[0]);
        Le.put64(raw, at + TreeHeader.KEY_PTR_GENERATION, pointers.get(i)[1]);
      }
    }
    return raw;
  }

  public TreeBlock block() {
    return new TreeBlock(bytenr, bytes());
  }

  /** Rewrites the crc32c checksum over bytes 32..end, as a valid block carries. */
  static byte[] withChecksum(byte[] raw) {
    ChecksumType.CRC32C.compute(raw, 32, raw.length - 32, raw, 0);
    return raw;
  }

  /** Absolute offset of slot {@code i}'s item descriptor in a leaf. */
  public static int itemAt(int i) {
    return TreeHeader.SIZE + i * TreeHeader.ITEM_SIZE;
  }
}
