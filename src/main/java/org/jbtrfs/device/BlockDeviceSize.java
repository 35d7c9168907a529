package org.jbtrfs.device;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

/** Size of a block device node, which the file APIs report as zero. */
final class BlockDeviceSize {
  private BlockDeviceSize() {}

  static long of(Path path) throws IOException {
    // /sys/class/block/<name>/size counts 512-byte sectors whatever the logical block size.
    Path real = path.toRealPath();
    Path sys = Path.of("/sys/class/block", real.getFileName().toString(), "size");
    if (Files.isReadable(sys)) {
      return Long.parseLong(Files.readString(sys).trim()) * 512L;
    }
    try (RandomAccessFile f = new RandomAccessFile(real.toFile(), "r")) {
      return f.length();
    }
  }
}
