package org.jbtrfs.tree.check;

import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeRef;
import org.jbtrfs.format.ItemType;

/**
 * INODE_REF and INODE_EXTREF: the names packed into the item each stay inside it. An INODE_REF
 * holds at least one name, which is never empty, so an item no bigger than one header is bad.
 */
final class InodeRefRules {
  private InodeRefRules() {}

  static void check(ItemSlot s) throws FormatException {
    InodeOrderRule.check(s);
    boolean ext = s.type == ItemType.INODE_EXTREF;
    int header = ext ? InodeRef.EXTREF_HEADER_SIZE : InodeRef.REF_HEADER_SIZE;
    int nameLenAt = ext ? InodeRef.EXTREF_NAME_LEN : InodeRef.REF_NAME_LEN;
    String what = ext ? "inode extref" : "inode ref";
    if (!ext && s.size <= header) {
      throw s.corrupt(
          "invalid item size, have "
              + s.size
              + " expect ("
              + header
              + ", "
              + s.ctx.leafDataSize()
              + ")");
    }
    int cur = 0;
    while (cur < s.size) {
      if (cur + header > s.size) {
        throw s.corrupt(
            what + " overflow, ptr " + cur + " end " + s.size + " " + what + " size " + header);
      }
      int nameLen = s.u16(cur + nameLenAt);
      if (cur + header + nameLen > s.size) {
        throw s.corrupt(what + " overflow, ptr " + cur + " end " + s.size + " namelen " + nameLen);
      }
      cur += header + nameLen;
    }
  }
}
