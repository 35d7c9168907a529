package org.jbtrfs.fs;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.FormatException;
import org.junit.jupiter.api.Test;

/**
 * Extent fields the metadata fuzzer showed can reach FileReader inside a checksum-valid block: each
 * must fail as a FormatException, not as IllegalArgument / NegativeArraySize / IndexOutOfBounds.
 */
class ExtentChecksTest {
  private static final int SECTOR = 4096;

  private static FileExtentItem reg(
      int compression, long diskBytenr, long diskNum, long offset, long num, long ram) {
    return new FileExtentItem(
        1, ram, compression, 0, 0, FileExtentItem.TYPE_REG, diskBytenr, diskNum, offset, num, 0, 0);
  }

  private static FileExtentItem inline(int compression, long ram) {
    return new FileExtentItem(
        1, ram, compression, 0, 0, FileExtentItem.TYPE_INLINE, 0, 0, 0, ram, 100, 20);
  }

  private static void rejected(FileExtentItem fe) {
    assertThatThrownBy(() -> ExtentChecks.check(fe, 257, SECTOR))
        .isExactlyInstanceOf(FormatException.class)
        .hasMessageContaining("inode 257");
  }

  @Test
  void acceptsWhatTheKernelWrites() {
    assertThatCode(() -> ExtentChecks.check(reg(0, 1 << 20, 65536, 4096, 8192, 65536), 257, SECTOR))
        .doesNotThrowAnyException();
    assertThatCode(() -> ExtentChecks.check(reg(3, 1 << 20, 4096, 0, 131072, 131072), 257, SECTOR))
        .doesNotThrowAnyException();
    assertThatCode(() -> ExtentChecks.check(inline(1, 4096), 257, SECTOR))
        .doesNotThrowAnyException();
  }

  @Test
  void rejectsUnknownCompression() {
    rejected(inline(127, 10)); // found by the fuzzer: IllegalArgumentException from CompressionType
    rejected(reg(4, 1 << 20, 4096, 0, 4096, 4096));
  }

  @Test
  void rejectsInlineRamBytesBeyondASector() {
    rejected(inline(1, SECTOR + 1));
    rejected(inline(2, -1L));
  }

  @Test
  void rejectsDiskRangesThatAreNegativeUnalignedOrOverflow() {
    rejected(reg(1, 1 << 20, -4096L, 0, 4096, 4096)); // would size a negative read buffer
    rejected(reg(0, (1 << 20) + 1, 4096, 0, 4096, 4096));
    rejected(reg(0, 1 << 20, 4095, 0, 4096, 4096));
    rejected(reg(0, Long.MIN_VALUE, 4096, 0, 4096, 4096));
    rejected(reg(0, Long.MAX_VALUE - 4095, 8192, 0, 4096, 4096));
  }

  @Test
  void rejectsSliceFieldsWithTheTopBitSet() {
    rejected(
        reg(1, 1 << 20, 4096, -4096L, 4096, 8192)); // negative source offset into the plain extent
    rejected(reg(0, 1 << 20, 4096, 0, -1L, 4096));
    rejected(reg(1, 1 << 20, 4096, 0, 4096, 256L << 20));
  }
}
