package org.jbtrfs.format;

/** A btrfs timestamp: signed 64-bit seconds and 32-bit nanoseconds (12 bytes). */
public record Timespec(long sec, int nsec) {
  public static final int SIZE = 12;

  public static Timespec read(byte[] b, int off) {
    return new Timespec(Le.u64(b, off), Le.i32(b, off + 8));
  }

  public static Timespec now() {
    java.time.Instant t = java.time.Instant.now();
    return new Timespec(t.getEpochSecond(), t.getNano());
  }

  public void write(byte[] b, int off) {
    Le.put64(b, off, sec);
    Le.put32(b, off + 8, nsec);
  }
}
