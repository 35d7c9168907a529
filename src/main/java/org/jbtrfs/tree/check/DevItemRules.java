package org.jbtrfs.tree.check;

import org.jbtrfs.format.DevItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.ObjectIds;

/**
 * DEV_ITEM: keyed (DEV_ITEMS, devid) with the devid repeated in the item, of fixed size, and not
 * using more bytes than the device has. Total bytes alone cannot be checked: a device being removed
 * has none.
 */
final class DevItemRules {
  private DevItemRules() {}

  static void check(ItemSlot s) throws FormatException {
    if (s.objectId != ObjectIds.DEV_ITEMS) {
      throw s.corrupt(
          "invalid objectid: has=" + ItemSlot.u(s.objectId) + " expect=" + ObjectIds.DEV_ITEMS);
    }
    if (s.size != DevItem.SIZE) {
      throw s.corrupt("invalid item size: has " + s.size + " expect " + DevItem.SIZE);
    }
    long devid = s.u64(DevItem.OFF_DEVID);
    if (devid != s.offset) {
      throw s.corrupt(
          "devid mismatch: key has=" + ItemSlot.u(s.offset) + " item has=" + ItemSlot.u(devid));
    }
    long used = s.u64(DevItem.OFF_BYTES_USED);
    long total = s.u64(DevItem.OFF_TOTAL_BYTES);
    if (Long.compareUnsigned(used, total) > 0) {
      throw s.corrupt(
          "invalid bytes used: have "
              + ItemSlot.u(used)
              + " expect [0, "
              + ItemSlot.u(total)
              + "]");
    }
  }
}
