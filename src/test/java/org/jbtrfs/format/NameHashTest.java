package org.jbtrfs.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class NameHashTest {
  @Test
  void rawCrcFromAllOnesSeedInvertedIsTheStandardCheckValue() {
    byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
    // Standard CRC-32C = ~raw(~0, data); published check value 0xE3069283.
    assertThat(~NameHash.rawCrc32c(~0, check, 0, check.length)).isEqualTo(0xE3069283);
  }

  @Property(tries = 200)
  void rawCrcAgreesWithTheJdkImplementation(@ForAll @Size(max = 300) byte[] data) {
    CRC32C jdk = new CRC32C();
    jdk.update(data);
    assertThat(Integer.toUnsignedLong(~NameHash.rawCrc32c(~0, data, 0, data.length)))
        .isEqualTo(jdk.getValue());
  }

  @Property(tries = 100)
  void hashesAreUnsigned32BitValues(
      @ForAll @Size(min = 1, max = 255) byte[] name, @ForAll long parent) {
    assertThat(NameHash.crc32cName(name)).isBetween(0L, 0xffffffffL);
    assertThat(NameHash.extrefHash(parent, name)).isBetween(0L, 0xffffffffL);
  }

  @Property(tries = 100)
  void extrefSeedUsesOnlyTheLow32BitsOfTheParent(
      @ForAll @Size(min = 1, max = 64) byte[] name, @ForAll int low) {
    long parent = Integer.toUnsignedLong(low);
    assertThat(NameHash.extrefHash(parent | (1L << 40), name))
        .isEqualTo(NameHash.extrefHash(parent, name));
  }
}
