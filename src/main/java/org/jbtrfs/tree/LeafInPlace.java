package org.jbtrfs.tree;

import java.util.Arrays;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.TreeHeader;

/**
 * Edits a canonical leaf (item data packed from the block end in slot order, unused space zero)
 * directly in its bytes, as the kernel does: shifting the item headers and the data that follows
 * the edited slot. Decoding every item of a leaf for each insert would make filling a directory or
 * the extent tree quadratic in practice. Each method returns false, changing nothing, when the
 * result would not fit; the caller then takes the decode-and-split path.
 */
final class LeafInPlace {
  private LeafInPlace() {}

  /** Inserts {@code key} with {@code value} at {@code slot} if the leaf has room. */
  static boolean insert(byte[] raw, int slot, Key key, byte[] value) {
    int n = nritems(raw);
    int len = value.length;
    if (free(raw, n) < TreeHeader.ITEM_SIZE + len) return false;
    int boundary = dataEnd(raw, slot); // new data goes right below the previous item's data
    int low = dataEnd(raw, n); // lowest data byte in use
    // Data of the items from slot on moves down to make room; their offsets follow.
    System.arraycopy(raw, low, raw, low - len, boundary - low);
    for (int i = slot; i < n; i++) addToOffset(raw, i, -len);
    int h = header(slot);
    System.arraycopy(raw, h, raw, h + TreeHeader.ITEM_SIZE, (n - slot) * TreeHeader.ITEM_SIZE);
    key.write(raw, h);
    Le.put32(raw, h + TreeHeader.ITEM_DATA_OFFSET, boundary - len - TreeHeader.SIZE);
    Le.put32(raw, h + TreeHeader.ITEM_DATA_SIZE, len);
    System.arraycopy(value, 0, raw, boundary - len, len);
    Le.put32(raw, TreeHeader.NRITEMS, n + 1);
    return true;
  }

  /** Removes the item at {@code slot}; always fits. */
  static void delete(byte[] raw, int slot) {
    int n = nritems(raw);
    int start = dataEnd(raw, slot + 1); // the item's own data: [start, start + len)
    int len = dataEnd(raw, slot) - start;
    int low = dataEnd(raw, n);
    System.arraycopy(raw, low, raw, low + len, start - low);
    Arrays.fill(raw, low, low + len, (byte) 0);
    for (int i = slot + 1; i < n; i++) addToOffset(raw, i, len);
    int h = header(slot);
    System.arraycopy(raw, h + TreeHeader.ITEM_SIZE, raw, h, (n - slot - 1) * TreeHeader.ITEM_SIZE);
    Arrays.fill(raw, header(n - 1), header(n), (byte) 0);
    Le.put32(raw, TreeHeader.NRITEMS, n - 1);
  }

  /** Replaces the data of the item at {@code slot} (any size) if the leaf has room. */
  static boolean replace(byte[] raw, int slot, byte[] value) {
    int n = nritems(raw);
    int old = dataEnd(raw, slot) - dataEnd(raw, slot + 1);
    if (value.length == old) {
      System.arraycopy(value, 0, raw, dataEnd(raw, slot + 1), old);
      return true;
    }
    if (free(raw, n) < value.length - old) return false;
    Key key = Key.read(raw, header(slot));
    delete(raw, slot);
    return insert(raw, slot, key, value);
  }

  private static int nritems(byte[] raw) {
    return Le.i32(raw, TreeHeader.NRITEMS);
  }

  private static int header(int slot) {
    return TreeHeader.SIZE + slot * TreeHeader.ITEM_SIZE;
  }

  /**
   * Absolute end of item {@code slot}'s data: the block end for slot 0, else where slot-1's starts.
   */
  private static int dataEnd(byte[] raw, int slot) {
    if (slot == 0) return raw.length;
    return TreeHeader.SIZE + Le.i32(raw, header(slot - 1) + TreeHeader.ITEM_DATA_OFFSET);
  }

  private static int free(byte[] raw, int n) {
    return dataEnd(raw, n) - header(n);
  }

  private static void addToOffset(byte[] raw, int slot, int delta) {
    int at = header(slot) + TreeHeader.ITEM_DATA_OFFSET;
    Le.put32(raw, at, Le.i32(raw, at) + delta);
  }
}
