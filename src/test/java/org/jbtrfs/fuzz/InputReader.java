package org.jbtrfs.fuzz;

import java.util.Arrays;

/**
 * Reads a fuzz input as a little-endian record stream, past its end as zeros. The byte[] targets
 * use it instead of Jazzer's FuzzedDataProvider so that their seeds are plain files a script can
 * write (the provider takes numbers from the input's end, which makes seeds hard to lay out).
 */
final class InputReader {
  private final byte[] data;
  private int pos;

  InputReader(byte[] data) {
    this.data = data;
  }

  boolean hasMore() {
    return pos < data.length;
  }

  int u8() {
    return pos < data.length ? data[pos++] & 0xff : 0;
  }

  int u16() {
    return u8() | u8() << 8;
  }

  long u32() {
    return u16() | (long) u16() << 16;
  }

  long u64() {
    return u32() | u32() << 32;
  }

  /** The next {@code n} bytes, zero-padded when the input ends first. */
  byte[] bytes(int n) {
    byte[] out =
        Arrays.copyOfRange(data, Math.min(pos, data.length), Math.min(pos, data.length) + n);
    pos = (int) Math.min((long) pos + n, data.length);
    return out;
  }

  /** Everything not read yet. */
  byte[] rest() {
    return bytes(Math.max(0, data.length - pos));
  }
}
