package org.jbtrfs.os;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The libc calls jbtrfs makes itself: whole-request reads and writes on /dev/fuse (which Java's
 * channels cannot promise for a character device shared by many threads), mounting, loop device and
 * lock ioctls, and polling the mount table. Buffers must be direct; they are read and written from
 * position 0.
 */
public interface Libc {
  long read(int fd, @Out ByteBuffer buf, long count);

  long write(int fd, @In ByteBuffer buf, long count);

  int close(int fd);

  int open(String path, int flags);

  int fcntl(int fd, int cmd, int arg);

  int ioctl(int fd, long request, @In int[] arg);

  /** An ioctl whose argument is a structure the kernel reads and may fill in. */
  int ioctl(int fd, long request, @In @Out byte[] arg);

  /** An ioctl whose argument is a plain number. */
  int ioctl(int fd, long request, long arg);

  int flock(int fd, int operation);

  int fallocate(int fd, int mode, long offset, long len);

  /**
   * fallocate: free the range's blocks, keeping the file's size (FALLOC_FL_PUNCH_HOLE|KEEP_SIZE).
   */
  int FALLOC_PUNCH_HOLE_KEEP_SIZE = 0x02 | 0x01;

  /** BLKDISCARD: _IO(0x12, 119), its argument a uint64_t[2] { start, length }. */
  long BLKDISCARD = 0x1277;

  int mount(String source, String target, String type, long flags, String data);

  int umount2(String target, int flags);

  /** struct pollfd as pairs of ints: fd, then events in the low and revents in the high half. */
  int poll(@In @Out int[] fds, long nfds, int timeoutMillis);

  int geteuid();

  int O_RDONLY = 0;
  int O_DIRECTORY = 0200000;
  int O_RDWR = 02;
  int O_EXCL = 0200;
  int O_NONBLOCK = 04000;
  int O_CLOEXEC = 02000000;
  int O_WRONLY = 01;

  int LOCK_SH = 1;
  int LOCK_EX = 2;
  int LOCK_NB = 4;

  long MS_RDONLY = 1;
  long MS_NOSUID = 2;
  long MS_NODEV = 4;
  long MS_NOEXEC = 8;
  long MS_REMOUNT = 32;
  long MS_BIND = 4096;

  static Libc load() {
    return Holder.LIBC;
  }

  /** The last errno of this thread. */
  static int errno() {
    return jnr.ffi.Runtime.getRuntime(Holder.LIBC).getLastError();
  }

  /** strerror-like text for the errno values jbtrfs reports. */
  static String describe(int errno) {
    return switch (errno) {
      case ErrnoValues.EBUSY -> "device or resource busy";
      case ErrnoValues.EACCES -> "permission denied";
      case ErrnoValues.EPERM -> "operation not permitted";
      case ErrnoValues.ENOENT -> "no such file or directory";
      case ErrnoValues.EINVAL -> "invalid argument";
      case ErrnoValues.ENODEV -> "no such device";
      case ErrnoValues.EROFS -> "read-only file system";
      case ErrnoValues.EEXIST -> "file exists";
      case ErrnoValues.EXDEV -> "invalid cross-device link";
      case ErrnoValues.ENOTDIR -> "not a directory";
      case ErrnoValues.ENOTTY -> "inappropriate ioctl for device";
      case ErrnoValues.ENOSPC -> "no space left on device";
      case ErrnoValues.ENAMETOOLONG -> "file name too long";
      case ErrnoValues.ENOTEMPTY -> "directory not empty";
      case ErrnoValues.EOPNOTSUPP -> "operation not supported";
      default -> "errno " + errno;
    };
  }

  final class Holder {
    private Holder() {}

    static final Libc LIBC = LibraryLoader.create(Libc.class).failImmediately().load("c");
  }
}
