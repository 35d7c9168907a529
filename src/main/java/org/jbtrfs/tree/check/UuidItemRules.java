package org.jbtrfs.tree.check;

/**
 * UUID_KEY_SUBVOL and UUID_KEY_RECEIVED_SUBVOL: a list of u64 subvolume ids. The kernel only warns
 * about a size that is not a multiple of 8 (and treats the entry as absent), so this rule warns too
 * and leaves the block readable.
 */
final class UuidItemRules {
  private UuidItemRules() {}

  static void check(ItemSlot s) {
    if (s.size == 0 || s.size % Long.BYTES != 0) {
      s.warn("uuid item with illegal size " + s.size);
    }
  }
}
