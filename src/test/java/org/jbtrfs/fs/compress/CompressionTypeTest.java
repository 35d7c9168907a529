package org.jbtrfs.fs.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CompressionTypeTest {
  @Test
  void codesMatchTheExtentItemByte() {
    assertThat(CompressionType.fromCode(0)).isEqualTo(CompressionType.NONE);
    assertThat(CompressionType.fromCode(1)).isEqualTo(CompressionType.ZLIB);
    assertThat(CompressionType.fromCode(2)).isEqualTo(CompressionType.LZO);
    assertThat(CompressionType.fromCode(3)).isEqualTo(CompressionType.ZSTD);
    for (CompressionType t : CompressionType.values()) {
      assertThat(CompressionType.fromCode(t.code())).isSameAs(t);
    }
  }

  @Test
  void unknownCodeNamesTheCode() {
    assertThatThrownBy(() -> CompressionType.fromCode(7))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("7");
  }
}
