package org.jbtrfs.tree;

import org.jbtrfs.format.ByteArrays;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * Edits a writable leaf in place, as the kernel's insert/del/truncate/extend item helpers do,
 * instead of decoding every item and encoding them again: only the item headers and data after the
 * edited slot move. Every leaf is in the canonical layout (item 0's data ends at the block end,
 * each item's data ends where the previous one's starts; the tree checker enforces it), and these
 * edits keep it, with bytes that fall out of use zeroed, so the result is byte for byte what {@link
 * LeafItems#encode} would write. Callers check {@link #freeSpace} first; an edit that does not fit
 * goes through {@link LeafItems} and a split instead.
 */
final class LeafEdit {
  private LeafEdit() {}

  /** Bytes between the last item header and the lowest item data. */
  static int freeSpace(byte[] raw) {
    int n = nritems(raw);
    return dataStart(raw, n) - headerEnd(n);
  }

  /** Inserts a new item at {@code slot}; the caller made sure it fits. */
  static void insert(byte[] raw, int slot, Key key, byte[] data) {
    int n = nritems(raw);
    int d = data.length;
    int start = dataStart(raw, n);
    int end = slotEnd(raw, slot);
    // Data of items slot..n-1 moves down by d; the new item's data takes the room they leave.
    System.arraycopy(raw, start, raw, start - d, end - start);
    System.arraycopy(data, 0, raw, end - d, d);
    for (int i = slot; i < n; i++) addToOffset(raw, i, -d);
    int h = headerOffset(slot);
    System.arraycopy(raw, h, raw, h + TreeHeader.ITEM_SIZE, headerEnd(n) - h);
    key.write(raw, h);
    Le.put32(raw, h + TreeHeader.ITEM_DATA_OFFSET, end - d - TreeHeader.SIZE);
    Le.put32(raw, h + TreeHeader.ITEM_DATA_SIZE, d);
    Le.put32(raw, TreeHeader.NRITEMS, n + 1);
  }

  /** Replaces the data of item {@code slot} (its size may change); the caller made sure it fits. */
  static void replace(byte[] raw, int slot, byte[] data) {
    int n = nritems(raw);
    int h = headerOffset(slot);
    int oldSize = Le.i32(raw, h + TreeHeader.ITEM_DATA_SIZE);
    int delta = data.length - oldSize;
    int end = slotEnd(raw, slot);
    if (delta != 0) {
      int start = dataStart(raw, n);
      int itemStart = end - oldSize;
      // Data of items slot+1..n-1 moves so that this item's data still ends where it did.
      System.arraycopy(raw, start, raw, start - delta, itemStart - start);
      if (delta < 0) ByteArrays.zero(raw, start, start - delta);
      for (int i = slot; i < n; i++) addToOffset(raw, i, -delta);
      Le.put32(raw, h + TreeHeader.ITEM_DATA_SIZE, data.length);
    }
    System.arraycopy(data, 0, raw, end - data.length, data.length);
  }

  /** Removes item {@code slot}. */
  static void delete(byte[] raw, int slot) {
    int n = nritems(raw);
    int h = headerOffset(slot);
    int size = Le.i32(raw, h + TreeHeader.ITEM_DATA_SIZE);
    int start = dataStart(raw, n);
    int itemStart = slotEnd(raw, slot) - size;
    // Data of items slot+1..n-1 moves up over the removed data; headers after the slot move left.
    System.arraycopy(raw, start, raw, start + size, itemStart - start);
    ByteArrays.zero(raw, start, start + size);
    for (int i = slot + 1; i < n; i++) addToOffset(raw, i, size);
    System.arraycopy(
        raw, h + TreeHeader.ITEM_SIZE, raw, h, headerEnd(n) - h - TreeHeader.ITEM_SIZE);
    ByteArrays.zero(raw, headerEnd(n - 1), headerEnd(n));
    Le.put32(raw, TreeHeader.NRITEMS, n - 1);
  }

  private static int nritems(byte[] raw) {
    return Le.i32(raw, TreeHeader.NRITEMS);
  }

  private static int headerOffset(int slot) {
    return TreeHeader.SIZE + slot * TreeHeader.ITEM_SIZE;
  }

  private static int headerEnd(int n) {
    return headerOffset(n);
  }

  /** Absolute offset of the lowest item data (the block end when the leaf is empty). */
  private static int dataStart(byte[] raw, int n) {
    return n == 0 ? raw.length : dataOffset(raw, n - 1);
  }

  /** Absolute offset where item {@code slot}'s data ends: where the previous item's starts. */
  private static int slotEnd(byte[] raw, int slot) {
    return slot == 0 ? raw.length : dataOffset(raw, slot - 1);
  }

  private static int dataOffset(byte[] raw, int slot) {
    return TreeHeader.SIZE + Le.i32(raw, headerOffset(slot) + TreeHeader.ITEM_DATA_OFFSET);
  }

  private static void addToOffset(byte[] raw, int slot, int delta) {
    int at = headerOffset(slot) + TreeHeader.ITEM_DATA_OFFSET;
    Le.put32(raw, at, Le.i32(raw, at) + delta);
  }
}
