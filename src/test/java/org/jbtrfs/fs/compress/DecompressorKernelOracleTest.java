package org.jbtrfs.fs.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jbtrfs.testutil.ScratchBtrfs;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Decompresses extents the kernel compressed on a real image and compares with the files. */
class DecompressorKernelOracleTest {
  private static final int EXTENT = 128 * 1024;

  /**
   * Extents whose first sector is z zeros then random bytes, z sweeping 8..55: LZO packs the zeros
   * into a few bytes and copies the rest literally, so the first segment's end moves one byte per
   * extent across the last 4 bytes of the sector, where the kernel must pad.
   */
  private static final int SWEEP_FIRST = 8;

  private static final int SWEEP_COUNT = 48;

  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"ZLIB", "LZO", "ZSTD"})
  void kernelCompressedExtentsDecodeToTheFileContent(CompressionType type, @TempDir Path dir)
      throws Exception {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("text", KernelExtents.text(300_000, 1));
    files.put("random", KernelExtents.random(50_000, 2));
    files.put("inline", KernelExtents.text(2000, 3)); // fits max_inline: compressed inline extent
    files.put("short-tail", KernelExtents.text(5000, 4)); // ram_bytes rounds up past EOF
    files.put("sweep", sweep());

    try (ScratchBtrfs fs = ScratchBtrfs.create(dir)) {
      Path mnt = fs.mount("compress-force=" + type.name().toLowerCase());
      Map<Long, byte[]> byIno = new LinkedHashMap<>();
      for (var e : files.entrySet()) {
        Path p = mnt.resolve(e.getKey());
        Files.write(p, e.getValue());
        byIno.put(((Number) Files.getAttribute(p, "unix:ino")).longValue(), e.getValue());
      }
      ScratchBtrfs.run("sync");
      fs.unmount();

      int regular = 0;
      int inline = 0;
      int lzoPaddingSkips = 0;
      StringBuilder firstSegments = new StringBuilder();
      for (var e : byIno.entrySet()) {
        byte[] content = e.getValue();
        for (KernelExtents.Extent x : KernelExtents.of(fs, e.getKey())) {
          if (x.compression() == 0) {
            continue; // stored plainly (incompressible)
          }
          assertThat(x.compression()).isEqualTo(type.code());
          byte[] out =
              Decompressor.decompress(
                  type,
                  x.payload(),
                  0,
                  x.payload().length,
                  (int) x.ramBytes(),
                  KernelExtents.SECTOR);
          assertThat(out).hasSize((int) x.ramBytes());
          // Past EOF the extent must read as zeros (the kernel compresses only up to i_size).
          byte[] expected =
              Arrays.copyOfRange(
                  content, (int) x.fileOffset(), (int) (x.fileOffset() + x.numBytes()));
          byte[] actual =
              Arrays.copyOfRange(out, (int) x.offset(), (int) (x.offset() + x.numBytes()));
          assertThat(Arrays.mismatch(actual, expected))
              .as("first wrong byte of ino %d at %d: %s", e.getKey(), x.fileOffset(), x)
              .isEqualTo(-1);
          if (x.inline()) {
            inline++;
          } else {
            regular++;
          }
          if (type == CompressionType.LZO) {
            lzoPaddingSkips += countLzoPadding(x.payload());
            firstSegments.append(le32(x.payload(), 4)).append(' ');
          }
        }
      }
      assertThat(inline).as("compressed inline extents").isGreaterThanOrEqualTo(1);
      assertThat(regular).as("compressed regular extents").isGreaterThanOrEqualTo(SWEEP_COUNT + 3);
      if (type == CompressionType.LZO) {
        // The sweep must have made the kernel pad at least once, or the rule went untested.
        assertThat(lzoPaddingSkips)
            .as("segment headers moved to the next sector; first segment sizes: %s", firstSegments)
            .isGreaterThan(0);
      }
    }
  }

  private static byte[] sweep() {
    byte[] b = new byte[SWEEP_COUNT * EXTENT];
    for (int e = 0; e < SWEEP_COUNT; e++) {
      byte[] noise = KernelExtents.random(KernelExtents.SECTOR - SWEEP_FIRST - e, 100 + e);
      System.arraycopy(noise, 0, b, e * EXTENT + SWEEP_FIRST + e, noise.length);
      byte[] text = KernelExtents.text(EXTENT - KernelExtents.SECTOR, 200 + e);
      System.arraycopy(text, 0, b, e * EXTENT + KernelExtents.SECTOR, text.length);
    }
    return b;
  }

  /** Walks btrfs LZO framing only to count how often a header was pushed to the next sector. */
  private static int countLzoPadding(byte[] p) {
    int total = le32(p, 0);
    int cur = 4;
    int skips = 0;
    while (cur < total) {
      cur += 4 + le32(p, cur);
      int left = KernelExtents.SECTOR - cur % KernelExtents.SECTOR;
      if (left < 4) {
        cur += left;
        skips++;
      }
    }
    return skips;
  }

  private static int le32(byte[] b, int p) {
    return (b[p] & 0xff)
        | (b[p + 1] & 0xff) << 8
        | (b[p + 2] & 0xff) << 16
        | (b[p + 3] & 0xff) << 24;
  }
}
