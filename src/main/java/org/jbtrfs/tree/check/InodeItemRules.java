package org.jbtrfs.tree.check;

import org.jbtrfs.format.FileType;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;

/**
 * INODE_ITEM: the key names an inode, the item has its fixed size, no generation comes from the
 * future, the mode is a real file type with only permission bits besides, a directory has at most
 * one link, and no flag is one the kernel does not know (such an inode would be misread).
 */
final class InodeItemRules {
  private InodeItemRules() {}

  private static final int VALID_MODE =
      FileType.S_IFMT | FileType.S_ISUID | FileType.S_ISGID | FileType.S_ISVTX | 0777;

  static void check(ItemSlot s) throws FormatException {
    LocationKeyRules.checkInodeKey(s, s.objectId, s.type, s.offset, true);
    if (s.size != InodeItem.SIZE) {
      throw s.corrupt("invalid item size: has " + s.size + " expect " + InodeItem.SIZE);
    }
    long max = s.ctx.maxGeneration();
    long generation = s.u64(InodeItem.OFF_GENERATION);
    if (Long.compareUnsigned(generation, max) > 0) {
      throw s.corrupt(
          "invalid inode generation: has " + ItemSlot.u(generation) + " expect (0, " + max + "]");
    }
    // mkfs may leave the root tree directory's transid 0, so only the upper bound counts.
    long transid = s.u64(InodeItem.OFF_TRANSID);
    if (Long.compareUnsigned(transid, max) > 0) {
      throw s.corrupt(
          "invalid inode transid: has " + ItemSlot.u(transid) + " expect [0, " + max + "]");
    }
    int mode = (int) s.u32(InodeItem.OFF_MODE);
    if ((mode & ~VALID_MODE) != 0) {
      throw s.corrupt(
          "unknown mode bit detected: " + ItemSlot.hex(mode & ~VALID_MODE & 0xffffffffL));
    }
    if (!validFileType(mode & FileType.S_IFMT)) {
      throw s.corrupt(
          "invalid mode: has 0"
              + Integer.toOctalString(mode & FileType.S_IFMT)
              + " expect valid S_IF* bit(s)");
    }
    long nlink = s.u32(InodeItem.OFF_NLINK);
    if (FileType.isDir(mode) && nlink > 1) {
      throw s.corrupt("invalid nlink: has " + nlink + " expect no more than 1 for dir");
    }
    long flags = s.u64(InodeItem.OFF_FLAGS);
    long incompat = flags & 0xffffffffL;
    if ((incompat & ~InodeItem.KNOWN_FLAGS) != 0) {
      throw s.corrupt("unknown incompat flags detected: " + ItemSlot.hex(incompat));
    }
    // Unknown read-only-compatible flags are harmless to a reader, not to a writer.
    long roCompat = flags & ~0xffffffffL;
    if (!s.ctx.readOnly() && (roCompat & ~InodeItem.KNOWN_RO_FLAGS) != 0) {
      throw s.corrupt(
          "unknown ro-compat flags detected on writeable mount: " + ItemSlot.hex(roCompat >>> 32));
    }
  }

  private static boolean validFileType(int fmt) {
    return fmt == FileType.S_IFREG
        || fmt == FileType.S_IFDIR
        || fmt == FileType.S_IFLNK
        || fmt == FileType.S_IFCHR
        || fmt == FileType.S_IFBLK
        || fmt == FileType.S_IFIFO
        || fmt == FileType.S_IFSOCK;
  }
}
