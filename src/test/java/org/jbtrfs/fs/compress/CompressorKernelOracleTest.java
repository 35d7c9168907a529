package org.jbtrfs.fs.compress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.jbtrfs.testutil.ScratchBtrfs;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Lets the kernel read what {@link Compressor} writes: the kernel's compressed extents are
 * overwritten in place with our output for the same data, then the file is read back through a
 * read-only mount that skips data checksums (those still cover the kernel's bytes).
 */
class CompressorKernelOracleTest {
  @ParameterizedTest
  @EnumSource(
      value = CompressionType.class,
      names = {"ZLIB", "LZO", "ZSTD"})
  void kernelReadsOurCompressedExtents(CompressionType type, @TempDir Path dir) throws Exception {
    byte[] content = KernelExtents.text(300_000, 11);
    try (ScratchBtrfs fs = ScratchBtrfs.create(dir)) {
      Path mnt = fs.mount("compress-force=" + type.name().toLowerCase());
      Path file = mnt.resolve("text");
      Files.write(file, content);
      long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
      ScratchBtrfs.run("sync");
      fs.unmount();

      long firstExtentPhysical = -1;
      int replaced = 0;
      int differing = 0;
      for (KernelExtents.Extent x : KernelExtents.of(fs, ino)) {
        if (x.inline() || x.compression() != type.code() || x.offset() != 0) {
          continue;
        }
        // The kernel compresses up to EOF; the rest of ram_bytes reads as zeros.
        int len = (int) Math.min(x.ramBytes(), content.length - x.fileOffset());
        byte[] ours =
            Compressor.compress(type, 0, content, (int) x.fileOffset(), len, KernelExtents.SECTOR);
        assertThat(ours).as("compressible text").isNotNull();
        if (ours.length > x.diskNumBytes()) {
          continue; // would not fit the space the kernel allocated
        }
        if (!Arrays.equals(ours, 0, ours.length, x.payload(), 0, ours.length)) {
          differing++;
        }
        try (RandomAccessFile raf = new RandomAccessFile(fs.image().toFile(), "rw")) {
          raf.seek(fs.physical(x.diskBytenr()));
          raf.write(Arrays.copyOf(ours, (int) x.diskNumBytes()));
        }
        if (replaced++ == 0) {
          firstExtentPhysical = fs.physical(x.diskBytenr());
        }
      }
      assertThat(replaced).as("extents replaced by ours").isGreaterThanOrEqualTo(2);

      mnt = fs.mount("ro,rescue=ignoredatacsums");
      byte[] readBack = Files.readAllBytes(mnt.resolve("text"));
      fs.unmount();
      assertThat(Arrays.mismatch(readBack, content))
          .as(
              "first byte the kernel decoded differently "
                  + "(%d of %d extents differ from the kernel's own bytes)",
              differing, replaced)
          .isEqualTo(-1);

      // Control: the kernel really reads the bytes we put there, so garbage must fail.
      try (RandomAccessFile raf = new RandomAccessFile(fs.image().toFile(), "rw")) {
        raf.seek(firstExtentPhysical + 4);
        raf.write(KernelExtents.random(2000, 5));
      }
      Path again = fs.mount("ro,rescue=ignoredatacsums");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> Files.readAllBytes(again.resolve("text")))
          .isInstanceOf(java.io.IOException.class);
      fs.unmount();
    }
  }
}
