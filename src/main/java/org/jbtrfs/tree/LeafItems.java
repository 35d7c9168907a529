package org.jbtrfs.tree;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * A leaf's items decoded into a list, so structural edits (insert, delete, resize, split, merge)
 * are plain list operations and the block is re-encoded in canonical form afterwards. Canonical
 * means what the kernel's tree-checker demands: item data packed back to back from the end of the
 * block in slot order (item 0's data ends at the block end), no gaps.
 */
final class LeafItems {
  final List<Key> keys = new ArrayList<>();
  final List<byte[]> data = new ArrayList<>();

  /** Slot whose growth caused an overflow (the item that may need a leaf of its own), or -1. */
  int hot = -1;

  static LeafItems decode(byte[] raw) {
    TreeBlock b = new TreeBlock(0, raw);
    LeafItems items = new LeafItems();
    int n = b.nritems();
    for (int i = 0; i < n; i++) {
      items.keys.add(b.key(i));
      int off = b.itemDataOffset(i);
      items.data.add(Arrays.copyOfRange(raw, off, off + b.itemDataSize(i)));
    }
    return items;
  }

  int size() {
    return keys.size();
  }

  /** Bytes of the leaf's data area an item with {@code dataLen} bytes occupies. */
  static int footprintOf(int dataLen) {
    return TreeHeader.ITEM_SIZE + dataLen;
  }

  int footprint(int i) {
    return footprintOf(data.get(i).length);
  }

  int bytesUsed(int from, int to) {
    int sum = 0;
    for (int i = from; i < to; i++) sum += footprint(i);
    return sum;
  }

  /** Slot holding {@code key}, or {@code -(insertion point) - 1}, as Collections.binarySearch. */
  int find(Key key) {
    int lo = 0;
    int hi = keys.size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = keys.get(mid).compareTo(key);
      if (c == 0) return mid;
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -lo - 1;
  }

  void add(int slot, Key key, byte[] value) {
    keys.add(slot, key);
    data.add(slot, value);
  }

  void remove(int slot) {
    keys.remove(slot);
    data.remove(slot);
  }

  void addAll(LeafItems other) {
    keys.addAll(other.keys);
    data.addAll(other.data);
  }

  /**
   * Writes items [from, to) into {@code raw}, keeping the header except nritems. Everything past
   * the header is rewritten (unused space zeroed) so stale bytes never reach disk.
   */
  void encode(byte[] raw, int from, int to) {
    ByteArrays.zero(raw, TreeHeader.SIZE, raw.length);
    int n = to - from;
    Le.put32(raw, TreeHeader.NRITEMS, n);
    int end = raw.length - TreeHeader.SIZE; // data offsets are relative to the header end
    for (int i = 0; i < n; i++) {
      byte[] d = data.get(from + i);
      int item = TreeHeader.SIZE + i * TreeHeader.ITEM_SIZE;
      end -= d.length;
      keys.get(from + i).write(raw, item);
      Le.put32(raw, item + TreeHeader.ITEM_DATA_OFFSET, end);
      Le.put32(raw, item + TreeHeader.ITEM_DATA_SIZE, d.length);
      System.arraycopy(d, 0, raw, TreeHeader.SIZE + end, d.length);
    }
  }
}
