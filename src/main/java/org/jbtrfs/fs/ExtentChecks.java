package org.jbtrfs.fs;

import org.jbtrfs.format.Align;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.UnsupportedFeatureException;
import org.jbtrfs.fs.compress.CompressionType;

/**
 * Sanity checks on a file extent item before FileReader turns its fields into array sizes, offsets
 * and disk addresses. A checksum-valid block can still carry nonsense (a bug elsewhere, or a
 * deliberately forged image); these mirror the kernel tree-checker's file extent rules that matter
 * for reading, so bad values fail as FormatException instead of a runtime exception.
 */
final class ExtentChecks {
  /**
   * Largest decompressed size of a compressed extent (BTRFS_MAX_UNCOMPRESSED, 128 KiB), with slack.
   */
  static final long MAX_COMPRESSED_RAM = 128L << 20;

  private ExtentChecks() {}

  static void check(FileExtentItem fe, long ino, int sectorSize) throws FormatException {
    if (fe.encryption() != 0 || fe.otherEncoding() != 0) {
      throw new UnsupportedFeatureException(
          "inode " + ino + ": encrypted or encoded extents are not supported");
    }
    String where = "inode " + ino + ": file extent";
    try {
      CompressionType.fromCode(fe.compression());
    } catch (IllegalArgumentException e) {
      throw new FormatException(where + " has unknown compression " + fe.compression());
    }
    if (fe.isInline()) {
      // The kernel only inlines data up to one sector, so ram_bytes beyond that is corruption
      // (and would size the decompression buffer).
      if (Long.compareUnsigned(fe.ramBytes(), sectorSize) > 0) {
        throw new FormatException(
            where + " is inline with ram_bytes " + Long.toUnsignedString(fe.ramBytes()));
      }
      return;
    }
    if (fe.diskBytenr() < 0
        || fe.diskNumBytes() <= 0
        || !Align.isAligned(fe.diskBytenr(), sectorSize)
        || !Align.isAligned(fe.diskNumBytes(), sectorSize)
        || fe.diskBytenr() + fe.diskNumBytes() < 0) {
      throw new FormatException(
          where
              + " has invalid disk range "
              + Long.toUnsignedString(fe.diskBytenr())
              + "+"
              + Long.toUnsignedString(fe.diskNumBytes()));
    }
    // offset/num_bytes select a slice of the extent; unsigned values past the extent would
    // become negative array or address arithmetic.
    if (fe.offset() < 0
        || fe.numBytes() < 0
        || fe.ramBytes() < 0
        || fe.offset() + fe.numBytes() < 0) {
      throw new FormatException(
          where
              + " has invalid offset/length "
              + Long.toUnsignedString(fe.offset())
              + "+"
              + Long.toUnsignedString(fe.numBytes()));
    }
    if (fe.compression() != 0
        && (fe.diskNumBytes() > MAX_COMPRESSED_RAM || fe.ramBytes() > MAX_COMPRESSED_RAM)) {
      throw new FormatException(
          where + " at " + fe.diskBytenr() + " has an impossible compressed size");
    }
  }
}
