package org.jbtrfs.tree.check;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.RootRef;

/**
 * ROOT_REF and ROOT_BACKREF: the header and the name it announces stay inside the item. The
 * kernel's tree checker has no rule for them, but every reader of the name depends on this one.
 */
final class RootRefRules {
  private RootRefRules() {}

  static void check(ItemSlot s) throws FormatException {
    if (s.size < RootRef.HEADER_SIZE) {
      throw s.corrupt(
          "invalid root ref item size, have " + s.size + " expect >= " + RootRef.HEADER_SIZE);
    }
    int nameLen = s.u16(RootRef.OFF_NAME_LEN);
    if (RootRef.HEADER_SIZE + nameLen > s.size) {
      throw s.corrupt("root ref name overflows item, namelen " + nameLen + " item size " + s.size);
    }
  }
}
