package org.jbtrfs.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ChecksumTypeTest {
  private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ABC = "abc".getBytes(StandardCharsets.US_ASCII);

  private static byte[] hex(String s) {
    return HexFormat.of().parseHex(s);
  }

  @Test
  void codesAndSizesMatchTheOnDiskFormat() {
    assertThat(ChecksumType.fromCode(0)).isEqualTo(ChecksumType.CRC32C);
    assertThat(ChecksumType.fromCode(1)).isEqualTo(ChecksumType.XXHASH64);
    assertThat(ChecksumType.fromCode(2)).isEqualTo(ChecksumType.SHA256);
    assertThat(ChecksumType.fromCode(3)).isEqualTo(ChecksumType.BLAKE2B);
    assertThat(List.of(ChecksumType.values()))
        .extracting(ChecksumType::size)
        .containsExactly(4, 8, 32, 32);
    for (ChecksumType t : ChecksumType.values()) {
      assertThat(ChecksumType.fromCode(t.code())).isSameAs(t);
    }
  }

  @Test
  void unknownCodeIsRejected() {
    assertThatThrownBy(() -> ChecksumType.fromCode(4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unsupported checksum type 4");
    assertThatThrownBy(() -> ChecksumType.fromCode(-1)).hasMessage("unsupported checksum type -1");
  }

  @Test
  void crc32cCheckValueIsStoredLittleEndian() {
    // Published CRC-32C check value of "123456789" is 0xE3069283.
    assertThat(ChecksumType.CRC32C.compute(CHECK, 0, CHECK.length)).isEqualTo(hex("839206e3"));
  }

  @Test
  void xxhash64KnownAnswersStoredLittleEndian() {
    // Reference XXH64 values (seed 0): "" -> EF46DB3751D8E999, "abc" -> 44BC2CF5AD770999.
    assertThat(ChecksumType.XXHASH64.compute(new byte[0], 0, 0)).isEqualTo(hex("99e9d85137db46ef"));
    assertThat(ChecksumType.XXHASH64.compute(ABC, 0, 3)).isEqualTo(hex("990977adf52cbc44"));
  }

  @Test
  void sha256KnownAnswer() {
    // FIPS 180-2 example "abc".
    assertThat(ChecksumType.SHA256.compute(ABC, 0, 3))
        .isEqualTo(hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  }

  @Test
  void blake2b256KnownAnswer() {
    // BLAKE2b-256("abc"), as published in the BLAKE2 test vectors / b2sum -l 256.
    assertThat(ChecksumType.BLAKE2B.compute(ABC, 0, 3))
        .isEqualTo(hex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319"));
  }

  @Test
  void respectsOffsetsAndWritesOnlySizeBytes() {
    byte[] padded = new byte[CHECK.length + 10];
    System.arraycopy(CHECK, 0, padded, 5, CHECK.length);
    for (ChecksumType t : ChecksumType.values()) {
      byte[] out = new byte[40];
      java.util.Arrays.fill(out, (byte) 0x5a);
      t.compute(padded, 5, CHECK.length, out, 3);
      assertThat(java.util.Arrays.copyOfRange(out, 3, 3 + t.size()))
          .isEqualTo(t.compute(CHECK, 0, CHECK.length));
      assertThat(out[2]).isEqualTo((byte) 0x5a);
      assertThat(out[3 + t.size()]).isEqualTo((byte) 0x5a);
    }
  }

  @Test
  void verifyAcceptsOwnChecksumAndRejectsAFlippedBit() {
    byte[] data = new byte[4096];
    new java.util.Random(1).nextBytes(data);
    for (ChecksumType t : ChecksumType.values()) {
      byte[] field = new byte[ChecksumType.ON_DISK_FIELD_SIZE + 8];
      t.compute(data, 0, data.length, field, 8);
      assertThat(t.verify(data, 0, data.length, field, 8)).isTrue();
      data[100] ^= 1;
      assertThat(t.verify(data, 0, data.length, field, 8)).as(t.name()).isFalse();
      data[100] ^= 1;
    }
  }

  @Test
  void concurrentUseGivesTheSameResults() throws Exception {
    byte[][] inputs = new byte[64][];
    java.util.Random r = new java.util.Random(7);
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = new byte[r.nextInt(5000)];
      r.nextBytes(inputs[i]);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (ChecksumType t : ChecksumType.values()) {
        byte[][] expected = new byte[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
          expected[i] = t.compute(inputs[i], 0, inputs[i].length);
        }
        List<Future<Boolean>> results = new ArrayList<>();
        for (int rep = 0; rep < 8; rep++) {
          results.add(
              pool.submit(
                  () -> {
                    boolean ok = true;
                    for (int i = 0; i < inputs.length; i++) {
                      ok &=
                          java.util.Arrays.equals(
                              t.compute(inputs[i], 0, inputs[i].length), expected[i]);
                    }
                    return ok;
                  }));
        }
        for (Future<Boolean> f : results) {
          assertThat(f.get()).as(t.name()).isTrue();
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
