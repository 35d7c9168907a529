package org.jbtrfs.format;

/**
 * Hashes btrfs uses as key offsets for names.
 *
 * <p>The kernel's crc32c(seed, data, len) helper is the "raw" CRC-32C update: it starts from the
 * given seed and applies no final inversion. java.util.zip.CRC32C always starts from ~0 and inverts
 * at the end, so it cannot express an arbitrary seed; hence the small table here.
 */
public final class NameHash {
  /** Reflected Castagnoli polynomial. */
  private static final int POLY = 0x82F63B78;

  private static final int[] TABLE = buildTable();

  private NameHash() {}

  /** DIR_ITEM / XATTR_ITEM key offset: crc32c with seed (u32)~1 (btrfs_name_hash). */
  public static long crc32cName(byte[] name) {
    return Integer.toUnsignedLong(rawCrc32c(~1, name, 0, name.length));
  }

  /**
   * INODE_EXTREF key offset: crc32c seeded with the parent inode number (btrfs_extref_hash). The
   * kernel passes the u64 parent to a u32 seed parameter, so only its low 32 bits count.
   */
  public static long extrefHash(long parentIno, byte[] name) {
    return Integer.toUnsignedLong(rawCrc32c((int) parentIno, name, 0, name.length));
  }

  /** CRC-32C update from {@code seed} without pre- or post-inversion. */
  /** {@link #rawCrc32c} over the 8 little-endian bytes of {@code value}, without a buffer. */
  public static int rawCrc32c(int seed, long value) {
    int crc = seed;
    for (int i = 0; i < 8; i++) {
      crc = TABLE[(crc ^ (int) (value >>> (8 * i))) & 0xff] ^ (crc >>> 8);
    }
    return crc;
  }

  public static int rawCrc32c(int seed, byte[] buf, int off, int len) {
    int crc = seed;
    for (int i = off; i < off + len; i++) {
      crc = TABLE[(crc ^ buf[i]) & 0xff] ^ (crc >>> 8);
    }
    return crc;
  }

  private static int[] buildTable() {
    int[] t = new int[256];
    for (int n = 0; n < 256; n++) {
      int c = n;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
      }
      t[n] = c;
    }
    return t;
  }
}
