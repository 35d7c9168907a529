package org.jbtrfs.device;

import java.io.Closeable;
import java.io.IOException;

/** One block device or image file, addressed by physical byte offset. */
public interface Device extends Closeable {
  /** Reads exactly {@code len} bytes; reading past the end is an error, never silent zeros. */
  void read(long offset, byte[] buf, int off, int len) throws IOException;

  void write(long offset, byte[] buf, int off, int len) throws IOException;

  /** Makes every completed write durable. */
  void flush() throws IOException;

  long size() throws IOException;

  /**
   * Tells the storage that a range holds nothing (FITRIM): an image file gets a hole there, a block
   * device a discard. Returns false where the device cannot (then nothing changed).
   */
  default boolean discard(long offset, long len) throws IOException {
    return false;
  }

  String name();
}
