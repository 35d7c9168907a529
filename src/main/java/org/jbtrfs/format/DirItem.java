package org.jbtrfs.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A directory entry (DIR_ITEM, DIR_INDEX) or xattr (XATTR_ITEM): location key, type, name and (for
 * xattrs) value. Several may share one item when their name hashes collide.
 */
public record DirItem(Key location, long transid, int type, byte[] name, byte[] data) {
  public static final int HEADER_SIZE = 30;

  public static final int OFF_LOCATION = 0;
  public static final int OFF_DATA_LEN = 25;
  public static final int OFF_NAME_LEN = 27;
  public static final int OFF_TYPE = 29;

  /** Longest name of a directory entry (BTRFS_NAME_LEN) and of an xattr (XATTR_NAME_MAX). */
  public static final int NAME_MAX = 255;

  public static final int XATTR_NAME_MAX = 255;

  /** Encodes one entry (as a whole item, or to append to a colliding one). */
  public byte[] encode() {
    byte[] b = new byte[HEADER_SIZE + name.length + data.length];
    location.write(b, 0);
    Le.put64(b, 17, transid);
    Le.put16(b, 25, data.length);
    Le.put16(b, 27, name.length);
    b[29] = (byte) type;
    System.arraycopy(name, 0, b, HEADER_SIZE, name.length);
    System.arraycopy(data, 0, b, HEADER_SIZE + name.length, data.length);
    return b;
  }

  /** Parses every entry packed into one item, checking that each stays inside the item. */
  public static List<DirItem> parseAll(byte[] b, int off, int size) throws FormatException {
    List<DirItem> out = new ArrayList<>(1);
    int pos = off;
    int end = off + size;
    while (pos < end) {
      if (pos + HEADER_SIZE > end) throw new FormatException("dir item header overruns its item");
      int dataLen = Le.u16(b, pos + 25);
      int nameLen = Le.u16(b, pos + 27);
      int type = Le.u8(b, pos + 29);
      int nameOff = pos + HEADER_SIZE;
      if (nameOff + nameLen + dataLen > end)
        throw new FormatException("dir item name overruns its item");
      out.add(
          new DirItem(
              Key.read(b, pos),
              Le.u64(b, pos + 17),
              type,
              Arrays.copyOfRange(b, nameOff, nameOff + nameLen),
              Arrays.copyOfRange(b, nameOff + nameLen, nameOff + nameLen + dataLen)));
      pos = nameOff + nameLen + dataLen;
    }
    return out;
  }
}
