package org.jbtrfs.oracle;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What one regular file or symlink should hold, for the random workload tests: bytes, size,
 * permissions, user xattrs and link count. Every field is guarded by {@link #lock}, because a file
 * hard-linked into the shared directory can be changed by two workers.
 */
final class ModelFile {
  private static final AtomicLong IDS = new AtomicLong();

  final long id = IDS.incrementAndGet();
  final ReentrantLock lock = new ReentrantLock();

  /** Null for a regular file. */
  final String symlinkTarget;

  private byte[] data = new byte[0];
  private int size;
  int perms = 0644;
  int nlink = 1;
  final Map<String, byte[]> xattrs = new TreeMap<>();

  /**
   * Bumped before every change is sent to the filesystem, so a durable record taken at fsync time
   * stays valid only while nothing (not even an interrupted call) touched the file since.
   */
  long version;

  ModelFile(String symlinkTarget) {
    this.symlinkTarget = symlinkTarget;
  }

  boolean isSymlink() {
    return symlinkTarget != null;
  }

  int size() {
    return size;
  }

  void write(long off, byte[] b) {
    int end = Math.toIntExact(off + b.length);
    ensure(end);
    System.arraycopy(b, 0, data, (int) off, b.length);
    size = Math.max(size, end);
  }

  /** Shrinking forgets the bytes, so growing again reads zeros (as a hole would). */
  void truncate(long newSize) {
    int n = Math.toIntExact(newSize);
    if (n < size) Arrays.fill(data, n, size, (byte) 0);
    ensure(n);
    size = n;
  }

  /** Zeros [off, off+len) inside the file (punch hole / zero range); never changes the size. */
  void zero(long off, long len) {
    int from = (int) Math.min(off, size);
    int to = (int) Math.min(off + len, size);
    if (from < to) Arrays.fill(data, from, to, (byte) 0);
  }

  /** What read(off, len) must return: clipped at EOF. */
  byte[] read(long off, int len) {
    if (off >= size) return new byte[0];
    int end = (int) Math.min(size, off + len);
    return Arrays.copyOfRange(data, (int) off, end);
  }

  byte[] contents() {
    return Arrays.copyOf(data, size);
  }

  private void ensure(int n) {
    if (n > data.length)
      data = Arrays.copyOf(data, Math.max(n, Math.min(data.length * 2, 4 << 20)));
  }
}
