package org.jbtrfs.fs.compress;

import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.jbtrfs.format.ByteArrays;

/** zstd as btrfs uses it: one zstd frame per extent, window limited to 128 KiB. */
final class ZstdCodec {
  static final int DEFAULT_LEVEL = 3;

  /** btrfs' ZSTD_BTRFS_MAX_WINDOWLOG: the kernel neither writes nor accepts larger windows. */
  static final int MAX_WINDOW_LOG = 17;

  private static final int MAX_LEVEL = 15;
  private static final int MIN_LEVEL = -15;

  private ZstdCodec() {}

  static void decompress(byte[] src, int off, int len, byte[] out) throws IOException {
    if (out.length == 0) {
      return;
    }
    // Streaming decode: the frame header's content size may be absent or wrong, and the
    // caller's buffer may carry sector padding after the frame, which must be ignored.
    try (ZstdDecompressCtx ctx = new ZstdDecompressCtx()) {
      ctx.setLongMax(MAX_WINDOW_LOG);
      ByteBuffer in = ByteBuffer.wrap(src, off, len);
      ByteBuffer dst = ByteBuffer.wrap(out);
      while (dst.hasRemaining()) {
        int inBefore = in.position();
        int outBefore = dst.position();
        boolean frameDone = ctx.decompressByteBufferStream(dst, in);
        if (frameDone) {
          break;
        }
        if (in.position() == inBefore && dst.position() == outBefore) {
          throw new IOException(
              "zstd frame truncated after " + dst.position() + " of " + out.length + " bytes");
        }
      }
      // zstd (>= 1.5.1) may park literals in the unused end of the output buffer, so the tail
      // after a short frame must be cleared to read as zeros, like the kernel's.
      ByteArrays.zero(out, dst.position(), out.length);
    } catch (RuntimeException e) { // ZstdException and friends are unchecked
      throw new IOException("corrupt zstd data: " + e.getMessage(), e);
    }
  }

  static byte[] compress(int level, byte[] src, int off, int len) {
    int lvl = level == 0 ? DEFAULT_LEVEL : Math.max(MIN_LEVEL, Math.min(MAX_LEVEL, level));
    try (ZstdCompressCtx ctx = new ZstdCompressCtx()) {
      ctx.setLevel(lvl);
      ctx.setWindowLog(MAX_WINDOW_LOG);
      ctx.setChecksum(false); // the kernel writes frames without the content checksum
      ctx.setContentSize(true);
      byte[] buf = new byte[(int) com.github.luben.zstd.Zstd.compressBound(len)];
      int n = ctx.compressByteArray(buf, 0, buf.length, src, off, len);
      return java.util.Arrays.copyOf(buf, n);
    }
  }
}
