package org.jbtrfs.format;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Unsigned on-disk fields that read as negative Java values, in structures whose checksum is valid:
 * found by (or next to what was found by) the metadata fuzzer.
 */
class CorruptFieldsTest {
  /** A minimal superblock that passes Superblock.parse: magic, crc32c, geometry. */
  private static byte[] superblock(int sysArraySize) {
    byte[] b = new byte[Superblock.SIZE];
    Le.put64(b, 0x30, Superblock.MIRROR_OFFSETS[0]);
    Le.put64(b, 0x40, Superblock.MAGIC);
    Le.put32(b, 0x90, 4096);
    Le.put32(b, 0x94, 16384);
    Le.put32(b, 0xa0, sysArraySize);
    ChecksumType.CRC32C.compute(
        b, Superblock.CSUM_SIZE, Superblock.SIZE - Superblock.CSUM_SIZE, b, 0);
    return b;
  }

  @Test
  void superblockRejectsASysChunkArraySizeWithTheTopBitSet() {
    assertThatCode(() -> Superblock.parse(superblock(0), Superblock.MIRROR_OFFSETS[0]))
        .doesNotThrowAnyException();
    // Found by the fuzzer: the size went negative and sysChunkArray() threw
    // NegativeArraySizeException.
    assertThatThrownBy(() -> Superblock.parse(superblock(-159), Superblock.MIRROR_OFFSETS[0]))
        .isExactlyInstanceOf(FormatException.class)
        .hasMessageContaining("system chunk array");
  }

  @Test
  void chunkItemRejectsAStripeLengthWithOnlyTheTopBitSet() {
    byte[] b = new byte[ChunkItem.sizeFor(1)];
    Le.put64(b, 0, 8L << 20);
    Le.put64(b, 16, Long.MIN_VALUE); // one bit set, yet not a usable stripe length
    Le.put16(b, 44, 1);
    assertThatThrownBy(() -> ChunkItem.parse(b, 0, b.length))
        .isExactlyInstanceOf(FormatException.class)
        .hasMessageContaining("stripe length");
  }
}
