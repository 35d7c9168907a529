package org.jbtrfs.tree;

import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * A verified, immutable tree block (leaf or node). Accessors decode fields lazily from the raw
 * bytes; instances are shared through the block cache, so nobody may modify {@link #raw()}.
 */
public final class TreeBlock {
  private final long logical;
  private final byte[] raw;

  public TreeBlock(long logical, byte[] raw) {
    this.logical = logical;
    this.raw = raw;
  }

  public long logical() {
    return logical;
  }

  public byte[] raw() {
    return raw;
  }

  public int size() {
    return raw.length;
  }

  public long bytenr() {
    return Le.u64(raw, TreeHeader.BYTENR);
  }

  public long flags() {
    return Le.u64(raw, TreeHeader.FLAGS);
  }

  public byte[] chunkTreeUuid() {
    return java.util.Arrays.copyOfRange(
        raw, TreeHeader.CHUNK_TREE_UUID, TreeHeader.CHUNK_TREE_UUID + 16);
  }

  public long generation() {
    return Le.u64(raw, TreeHeader.GENERATION);
  }

  public long owner() {
    return Le.u64(raw, TreeHeader.OWNER);
  }

  public int nritems() {
    return Le.i32(raw, TreeHeader.NRITEMS);
  }

  public int level() {
    return Le.u8(raw, TreeHeader.LEVEL);
  }

  public boolean isLeaf() {
    return level() == 0;
  }

  /** Byte offset of the key of slot {@code i} (leaf item or node key pointer). */
  public int keyOffset(int i) {
    return TreeHeader.SIZE + i * (isLeaf() ? TreeHeader.ITEM_SIZE : TreeHeader.KEY_PTR_SIZE);
  }

  public Key key(int i) {
    return Key.read(raw, keyOffset(i));
  }

  public long keyObjectId(int i) {
    return Le.u64(raw, keyOffset(i));
  }

  public int keyType(int i) {
    return Le.u8(raw, keyOffset(i) + 8);
  }

  public long keyOffsetField(int i) {
    return Le.u64(raw, keyOffset(i) + 9);
  }

  /** Absolute offset in {@link #raw()} of leaf item {@code i}'s data. */
  public int itemDataOffset(int i) {
    return TreeHeader.SIZE + Le.i32(raw, keyOffset(i) + TreeHeader.ITEM_DATA_OFFSET);
  }

  public int itemDataSize(int i) {
    return Le.i32(raw, keyOffset(i) + TreeHeader.ITEM_DATA_SIZE);
  }

  public long childBlockPtr(int i) {
    return Le.u64(raw, keyOffset(i) + TreeHeader.KEY_PTR_BLOCKPTR);
  }

  public long childGeneration(int i) {
    return Le.u64(raw, keyOffset(i) + TreeHeader.KEY_PTR_GENERATION);
  }

  /**
   * Index of the last slot whose key is {@code <= key}, or -1 when every key is greater. Binary
   * search over the sorted slots.
   */
  public int floorSlot(Key key) {
    int lo = 0;
    int hi = nritems() - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = key.compareTo(raw, keyOffset(mid));
      if (c == 0) return mid;
      if (c > 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}
