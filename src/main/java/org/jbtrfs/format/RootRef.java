package org.jbtrfs.format;

import java.util.Arrays;

/** ROOT_REF / ROOT_BACKREF: where a subvolume is linked into its parent's directory tree. */
public record RootRef(long dirId, long sequence, byte[] name) {
  /** Header: directory id (u64), sequence (u64), name length (u16); the name follows. */
  public static final int HEADER_SIZE = 18;

  public static final int OFF_NAME_LEN = 16;

  public static RootRef parse(byte[] b, int off, int size) throws FormatException {
    if (size < 18) throw new FormatException("root ref too small");
    int nameLen = Le.u16(b, off + 16);
    if (18 + nameLen > size) throw new FormatException("root ref name overruns its item");
    return new RootRef(
        Le.u64(b, off), Le.u64(b, off + 8), Arrays.copyOfRange(b, off + 18, off + 18 + nameLen));
  }
}
