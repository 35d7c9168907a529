package org.jbtrfs.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbtrfs.testutil.ScratchBtrfs;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Checks every checksum type against what the kernel and mkfs.btrfs wrote to a real image. */
class ChecksumKernelOracleTest {
  private static final long SUPER_OFFSET = 65536;
  private static final int SUPER_SIZE = 4096;
  private static final int CSUM_FIELD = 0x20;

  @ParameterizedTest
  @EnumSource(ChecksumType.class)
  void superblockAndDataChecksumsMatchTheKernel(ChecksumType type, @TempDir Path dir)
      throws Exception {
    String mkfsName = type == ChecksumType.XXHASH64 ? "xxhash" : type.name().toLowerCase();
    try (ScratchBtrfs fs = ScratchBtrfs.create(dir, "--csum", mkfsName)) {
      // Superblock written by mkfs: csum covers bytes 0x20..0x1000.
      byte[] sb = fs.readPhysical(SUPER_OFFSET, SUPER_SIZE);
      assertThat(sb[0xC4] & 0xffff).as("csum_type in superblock").isEqualTo(type.code());
      assertThat(type.verify(sb, CSUM_FIELD, SUPER_SIZE - CSUM_FIELD, sb, 0)).isTrue();

      // One data sector written by the kernel (max_inline=0 keeps it out of the leaf).
      byte[] content = new byte[4096];
      new Random(type.code()).nextBytes(content);
      Path mnt = fs.mount("max_inline=0");
      Path file = mnt.resolve("data");
      Files.write(file, content);
      long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
      ScratchBtrfs.run("sync");
      fs.unmount();

      // Superblock rewritten by the kernel at unmount.
      sb = fs.readPhysical(SUPER_OFFSET, SUPER_SIZE);
      assertThat(type.verify(sb, CSUM_FIELD, SUPER_SIZE - CSUM_FIELD, sb, 0))
          .as("kernel superblock")
          .isTrue();

      long diskByte = diskBytenr(fs.dumpTree("5"), ino);
      assertThat(fs.readLogical(diskByte, 4096)).as("extent read back").isEqualTo(content);
      byte[] stored = kernelCsum(fs, diskByte, type.size());
      assertThat(stored).hasSize(type.size());
      assertThat(type.compute(content, 0, content.length)).isEqualTo(stored);
    }
  }

  private static long diskBytenr(String fsTree, long ino) {
    Matcher m =
        Pattern.compile(
                "key \\(" + ino + " EXTENT_DATA 0\\).*?extent data disk byte (\\d+)",
                Pattern.DOTALL)
            .matcher(fsTree);
    assertThat(m.find()).as("EXTENT_DATA of inode " + ino).isTrue();
    return Long.parseLong(m.group(1));
  }

  /** Reads the sector's csum from the raw EXTENT_CSUM item bytes in the csum tree leaf. */
  private static byte[] kernelCsum(ScratchBtrfs fs, long bytenr, int size)
      throws java.io.IOException {
    for (ScratchBtrfs.Item item : fs.items("csum", "EXTENT_CSUM")) {
      long index = (bytenr - item.offset()) / 4096;
      if (bytenr >= item.offset() && (index + 1) * size <= item.data().length) {
        return java.util.Arrays.copyOfRange(
            item.data(), (int) index * size, (int) (index + 1) * size);
      }
    }
    throw new AssertionError("no csum item covers " + bytenr);
  }
}
