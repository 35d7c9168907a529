package org.jbtrfs.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A back reference from an inode to one of its names: INODE_REF (parent in the key offset) and
 * INODE_EXTREF (parent stored in the entry) both decode to this.
 */
public record InodeRef(long parent, long index, byte[] name) {
  /** INODE_REF entry header: index (u64), name length (u16). */
  public static final int REF_HEADER_SIZE = 10;

  public static final int REF_NAME_LEN = 8;

  /** INODE_EXTREF entry header: parent (u64), index (u64), name length (u16). */
  public static final int EXTREF_HEADER_SIZE = 18;

  public static final int EXTREF_NAME_LEN = 16;

  /** One INODE_REF entry: dir index, name length, name. */
  public byte[] encodeRef() {
    byte[] b = new byte[10 + name.length];
    Le.put64(b, 0, index);
    Le.put16(b, 8, name.length);
    System.arraycopy(name, 0, b, 10, name.length);
    return b;
  }

  /** One INODE_EXTREF entry: parent, dir index, name length, name. */
  public byte[] encodeExtref() {
    byte[] b = new byte[18 + name.length];
    Le.put64(b, 0, parent);
    Le.put64(b, 8, index);
    Le.put16(b, 16, name.length);
    System.arraycopy(name, 0, b, 18, name.length);
    return b;
  }

  /** Parses an INODE_REF item whose key offset is the parent directory. */
  public static List<InodeRef> parseRefs(long parent, byte[] b, int off, int size)
      throws FormatException {
    List<InodeRef> out = new ArrayList<>(1);
    int pos = off;
    int end = off + size;
    while (pos < end) {
      if (pos + 10 > end) throw new FormatException("inode ref overruns its item");
      int nameLen = Le.u16(b, pos + 8);
      if (pos + 10 + nameLen > end) throw new FormatException("inode ref name overruns its item");
      out.add(
          new InodeRef(
              parent, Le.u64(b, pos), Arrays.copyOfRange(b, pos + 10, pos + 10 + nameLen)));
      pos += 10 + nameLen;
    }
    return out;
  }

  /** Parses an INODE_EXTREF item (used when names of one inode overflow a leaf). */
  public static List<InodeRef> parseExtrefs(byte[] b, int off, int size) throws FormatException {
    List<InodeRef> out = new ArrayList<>(1);
    int pos = off;
    int end = off + size;
    while (pos < end) {
      if (pos + 18 > end) throw new FormatException("inode extref overruns its item");
      int nameLen = Le.u16(b, pos + 16);
      if (pos + 18 + nameLen > end)
        throw new FormatException("inode extref name overruns its item");
      out.add(
          new InodeRef(
              Le.u64(b, pos),
              Le.u64(b, pos + 8),
              Arrays.copyOfRange(b, pos + 18, pos + 18 + nameLen)));
      pos += 18 + nameLen;
    }
    return out;
  }
}
