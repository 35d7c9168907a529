package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.jbtrfs.os.ErrnoValues;
import org.jbtrfs.os.Libc;

/**
 * An ioctl on a mounted filesystem's mountpoint, as btrfs-progs sends them: opened, called, closed.
 * A failure keeps its errno, so callers can tell "nothing to do" answers from real errors.
 */
final class LiveIoctl implements AutoCloseable {
  /** An ioctl that failed, with the errno it failed with. */
  static final class Failed extends IOException {
    final int errno;

    Failed(String message, int errno) {
      super(message);
      this.errno = errno;
    }
  }

  private final Libc libc = Libc.load();
  private final Path mount;
  private final int fd;

  LiveIoctl(Path mount) throws IOException {
    this.mount = mount;
    this.fd = libc.open(mount.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
    if (fd < 0) {
      int errno = Libc.errno();
      String why = "cannot open '" + mount + "': " + Libc.describe(errno);
      if (errno == ErrnoValues.ENOTDIR) {
        why += " (this command needs the mountpoint of a mounted filesystem)";
      }
      throw new IOException(why);
    }
  }

  /**
   * Calls {@code cmd} with {@code arg}, which the filesystem may fill in; {@code name} names it.
   */
  void call(long cmd, byte[] arg, String name) throws Failed {
    if (libc.ioctl(fd, cmd, arg) < 0) {
      int errno = Libc.errno();
      String why = name + " on '" + mount + "': " + Libc.describe(errno);
      if (errno == ErrnoValues.ENOTTY) why += " (not a btrfs or jbtrfs filesystem)";
      throw new Failed(why, errno);
    }
  }

  /** Calls an ioctl that takes no argument. */
  void call(long cmd, String name) throws Failed {
    if (libc.ioctl(fd, cmd, 0L) < 0) {
      int errno = Libc.errno();
      String why = name + " on '" + mount + "': " + Libc.describe(errno);
      if (errno == ErrnoValues.ENOTTY) why += " (not a jbtrfs mount)";
      throw new Failed(why, errno);
    }
  }

  /** The NUL-terminated UTF-8 string at {@code off} of a reply. */
  static String cString(byte[] b, int off) {
    int end = off;
    while (end < b.length && b[end] != 0) end++;
    return new String(b, off, end - off, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    libc.close(fd);
  }
}
