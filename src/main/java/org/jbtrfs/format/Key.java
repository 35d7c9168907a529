package org.jbtrfs.format;

/**
 * A btrfs key. Object ids and offsets are unsigned 64-bit values (e.g. the checksum tree uses
 * objectid -10), so comparisons are unsigned.
 */
public record Key(long objectId, int type, long offset) implements Comparable<Key> {
  public static final int SIZE = 17;
  public static final Key MIN = new Key(0, 0, 0);
  public static final Key MAX = new Key(-1L, 0xff, -1L);

  public static Key read(byte[] b, int off) {
    return new Key(Le.u64(b, off), Le.u8(b, off + 8), Le.u64(b, off + 9));
  }

  public void write(byte[] b, int off) {
    Le.put64(b, off, objectId);
    b[off + 8] = (byte) type;
    Le.put64(b, off + 9, offset);
  }

  @Override
  public int compareTo(Key o) {
    int c = Long.compareUnsigned(objectId, o.objectId);
    if (c != 0) return c;
    c = Integer.compare(type, o.type);
    if (c != 0) return c;
    return Long.compareUnsigned(offset, o.offset);
  }

  /** Compares this key with the key stored at {@code off} in {@code b} without allocating. */
  public int compareTo(byte[] b, int off) {
    int c = Long.compareUnsigned(objectId, Le.u64(b, off));
    if (c != 0) return c;
    c = Integer.compare(type, Le.u8(b, off + 8));
    if (c != 0) return c;
    return Long.compareUnsigned(offset, Le.u64(b, off + 9));
  }

  @Override
  public String toString() {
    return "("
        + Long.toUnsignedString(objectId)
        + " "
        + ItemType.name(type)
        + " "
        + Long.toUnsignedString(offset)
        + ")";
  }
}
