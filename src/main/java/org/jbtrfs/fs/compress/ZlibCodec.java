package org.jbtrfs.fs.compress;

import java.io.IOException;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** zlib as btrfs uses it: one complete zlib stream (RFC 1950) per extent. */
final class ZlibCodec {
  static final int DEFAULT_LEVEL = 3;
  private static final int MAX_LEVEL = 9;
  private static final int ZLIB_CM_DEFLATE = 8;
  private static final int ZLIB_FDICT = 0x20;

  private ZlibCodec() {}

  static void decompress(byte[] src, int off, int len, byte[] out) throws IOException {
    if (out.length == 0) {
      return;
    }
    // Like the kernel: when the header says plain deflate without a preset dictionary, skip it
    // and inflate raw, so a damaged adler32 trailer does not fail an otherwise intact extent.
    boolean raw =
        len >= 2 && (src[off] & 0x0f) == ZLIB_CM_DEFLATE && (src[off + 1] & ZLIB_FDICT) == 0;
    Inflater inf = new Inflater(raw);
    try {
      if (raw) {
        inf.setInput(src, off + 2, len - 2);
      } else {
        inf.setInput(src, off, len);
      }
      int pos = 0;
      while (pos < out.length && !inf.finished()) {
        long readBefore = inf.getBytesRead();
        int n = inf.inflate(out, pos, out.length - pos);
        pos += n;
        if (n == 0 && inf.getBytesRead() == readBefore && !inf.finished()) {
          if (inf.needsDictionary()) {
            throw new IOException("zlib stream requires a preset dictionary");
          }
          // No progress at all: zlib wants more input than the extent holds.
          throw new IOException(
              "zlib stream truncated after " + pos + " of " + out.length + " bytes");
        }
      }
      // A stream that ended early leaves the tail zero, as the kernel does.
    } catch (DataFormatException e) {
      throw new IOException("corrupt zlib data: " + e.getMessage(), e);
    } finally {
      inf.end();
    }
  }

  static byte[] compress(int level, byte[] src, int off, int len) {
    int lvl = level == 0 ? DEFAULT_LEVEL : Math.max(1, Math.min(MAX_LEVEL, level)); // kernel clamps
    Deflater def = new Deflater(lvl, false);
    try {
      def.setInput(src, off, len);
      def.finish();
      // deflate's worst case expansion is small; grow if ever needed.
      byte[] buf = new byte[len + len / 1000 + 64];
      int pos = 0;
      while (!def.finished()) {
        if (pos == buf.length) {
          buf = java.util.Arrays.copyOf(buf, buf.length * 2);
        }
        pos += def.deflate(buf, pos, buf.length - pos);
      }
      return java.util.Arrays.copyOf(buf, pos);
    } finally {
      def.end();
    }
  }
}
