package org.jbtrfs.format;

/**
 * Device numbers: btrfs stores the kernel's internal encoding (major << 20 | minor); stat and mknod
 * use glibc's, which splits major and minor across high and low bits.
 */
public final class DeviceNumbers {
  private DeviceNumbers() {}

  /** On-disk (kernel) encoding to glibc's dev_t. */
  public static long toUser(long rdev) {
    return make((rdev >>> 20) & 0xfff, rdev & 0xfffff);
  }

  /** glibc's dev_t of a major and minor number. */
  public static long make(long major, long minor) {
    return (minor & 0xff)
        | ((major & 0xfff) << 8)
        | ((minor & ~0xffL) << 12)
        | ((major & ~0xfffL) << 32);
  }

  /** glibc's dev_t to the on-disk (kernel) encoding. */
  public static long toDisk(long dev) {
    return (major(dev) << 20) | minor(dev);
  }

  /** The major number of a glibc dev_t. */
  public static long major(long dev) {
    return ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
  }

  /** The minor number of a glibc dev_t. */
  public static long minor(long dev) {
    return (dev & 0xff) | ((dev >>> 12) & ~0xffL);
  }
}
