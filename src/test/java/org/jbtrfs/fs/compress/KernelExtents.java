package org.jbtrfs.fs.compress;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jbtrfs.testutil.ScratchBtrfs;

/** Test helper: file extents the kernel wrote, with their raw (still compressed) payload. */
final class KernelExtents {
  static final int SECTOR = 4096;
  private static final int INLINE_DATA_START = 21;

  /** One EXTENT_DATA item; payload is the inline data or the whole on-disk extent. */
  record Extent(
      long ino,
      long fileOffset,
      long ramBytes,
      int compression,
      boolean inline,
      long diskBytenr,
      long diskNumBytes,
      long offset,
      long numBytes,
      byte[] payload) {
    @Override
    public String toString() {
      return "Extent[ino="
          + ino
          + " fileOffset="
          + fileOffset
          + " ram="
          + ramBytes
          + " compression="
          + compression
          + " inline="
          + inline
          + " disk="
          + diskBytenr
          + "+"
          + diskNumBytes
          + " offset="
          + offset
          + " num="
          + numBytes
          + " payload="
          + payload.length
          + "]";
    }
  }

  private KernelExtents() {}

  static List<Extent> of(ScratchBtrfs fs, long ino) throws IOException {
    List<Extent> out = new ArrayList<>();
    for (ScratchBtrfs.Item item : fs.items("5", "EXTENT_DATA")) {
      if (!item.objectId().equals(Long.toString(ino))) {
        continue;
      }
      ByteBuffer b = ByteBuffer.wrap(item.data()).order(ByteOrder.LITTLE_ENDIAN);
      long ram = b.getLong(8);
      int compression = b.get(16) & 0xff;
      boolean inline = b.get(20) == 0;
      if (inline) {
        byte[] data = Arrays.copyOfRange(item.data(), INLINE_DATA_START, item.data().length);
        out.add(new Extent(ino, item.offset(), ram, compression, true, 0, 0, 0, ram, data));
      } else {
        long bytenr = b.getLong(21);
        long diskLen = b.getLong(29);
        byte[] data = bytenr == 0 ? new byte[0] : fs.readLogical(bytenr, (int) diskLen);
        out.add(
            new Extent(
                ino,
                item.offset(),
                ram,
                compression,
                false,
                bytenr,
                diskLen,
                b.getLong(37),
                b.getLong(45),
                data));
      }
    }
    return out;
  }

  /** Text-like content: compressible, but not trivially (random words). */
  static byte[] text(int len, long seed) {
    String[] words = {
      "btrfs",
      "extent",
      "sector",
      "compress",
      "kernel",
      "inode",
      "tree",
      "leaf",
      "checksum",
      "the",
      "a",
      "of",
      "subvolume",
      "snapshot",
      "chunk",
      "stripe",
      "java"
    };
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder(len + 32);
    while (sb.length() < len) {
      sb.append(words[r.nextInt(words.length)]).append(r.nextInt(8) == 0 ? ".\n" : " ");
      if (r.nextInt(16) == 0) {
        sb.append(r.nextInt(100000));
      }
    }
    return Arrays.copyOf(sb.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII), len);
  }

  static byte[] random(int len, long seed) {
    byte[] b = new byte[len];
    new Random(seed).nextBytes(b);
    return b;
  }
}
