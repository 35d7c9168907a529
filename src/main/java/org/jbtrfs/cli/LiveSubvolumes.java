package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.jbtrfs.format.Le;
import org.jbtrfs.os.Libc;

/**
 * `subvolume create`, `snapshot`, `delete` and `property get|set ro` on a mounted filesystem, by
 * the kernel's ioctls on the destination's directory, exactly as btrfs-progs issues them: a jbtrfs
 * mount's daemon answers them (btrfs-progs itself refuses to run on a filesystem whose statfs type
 * is not btrfs), and so does a kernel btrfs mount.
 */
final class LiveSubvolumes {
  private static final long SNAP_CREATE_V2 = 0x50009417L;
  private static final long SUBVOL_CREATE_V2 = 0x50009418L;
  private static final long SNAP_DESTROY_V2 = 0x5000943fL;
  private static final long SUBVOL_GETFLAGS = 0x80089419L;
  private static final long SUBVOL_SETFLAGS = 0x4008941aL;
  private static final long DEFAULT_SUBVOL = 0x40089413L;
  private static final int ARGS_SIZE = 4096;
  private static final int FLAGS = 16;
  private static final int NAME = 56;
  private static final int NAME_MAX = 4039;
  private static final long SUBVOL_RDONLY = 1L << 1;

  private LiveSubvolumes() {}

  static void create(Path dir, String name) throws IOException {
    issue(SUBVOL_CREATE_V2, dir, -1, name, 0);
  }

  static void delete(Path dir, String name) throws IOException {
    issue(SNAP_DESTROY_V2, dir, -1, name, 0);
  }

  static void snapshot(Path source, Path dir, String name, boolean readOnly) throws IOException {
    Libc libc = Libc.load();
    int src = libc.open(source.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
    if (src < 0) throw failure("cannot open '" + source + "'", Libc.errno());
    try {
      issue(SNAP_CREATE_V2, dir, src, name, readOnly ? SUBVOL_RDONLY : 0);
    } finally {
      libc.close(src);
    }
  }

  /** BTRFS_IOC_SUBVOL_GETFLAGS: whether the subvolume at {@code dir} is read-only. */
  static boolean isReadOnly(Path dir) throws IOException {
    byte[] flags = new byte[8];
    flags(dir, SUBVOL_GETFLAGS, flags);
    return (Le.u64(flags, 0) & SUBVOL_RDONLY) != 0;
  }

  /** BTRFS_IOC_SUBVOL_SETFLAGS: makes the subvolume at {@code dir} read-only or writable. */
  static void setReadOnly(Path dir, boolean readOnly) throws IOException {
    byte[] flags = new byte[8];
    Le.put64(flags, 0, readOnly ? SUBVOL_RDONLY : 0);
    flags(dir, SUBVOL_SETFLAGS, flags);
  }

  /** BTRFS_IOC_DEFAULT_SUBVOL: makes subvolume {@code id} the default of the filesystem. */
  static void setDefault(Path dir, long id) throws IOException {
    byte[] arg = new byte[8];
    Le.put64(arg, 0, id);
    flags(dir, DEFAULT_SUBVOL, arg);
  }

  private static void flags(Path dir, long cmd, byte[] arg) throws IOException {
    Libc libc = Libc.load();
    int fd = libc.open(dir.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
    if (fd < 0) throw failure("cannot open '" + dir + "'", Libc.errno());
    try {
      if (libc.ioctl(fd, cmd, arg) < 0) throw failure("'" + dir + "'", Libc.errno());
    } finally {
      libc.close(fd);
    }
  }

  private static void issue(long cmd, Path dir, int sourceFd, String name, long flags)
      throws IOException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    if (n.length > NAME_MAX) throw new IOException("name too long: " + name);
    byte[] args = new byte[ARGS_SIZE];
    Le.put64(args, 0, sourceFd);
    Le.put64(args, FLAGS, flags);
    System.arraycopy(n, 0, args, NAME, n.length);
    Libc libc = Libc.load();
    int fd = libc.open(dir.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
    if (fd < 0) throw failure("cannot open '" + dir + "'", Libc.errno());
    try {
      if (libc.ioctl(fd, cmd, args) < 0) {
        int e = Libc.errno();
        String why =
            (cmd == SNAP_DESTROY_V2 ? "cannot delete '" : "cannot create '")
                + dir.resolve(name)
                + "'";
        if (e == 25) why += " (not a btrfs or jbtrfs filesystem)"; // ENOTTY
        throw failure(why, e);
      }
    } finally {
      libc.close(fd);
    }
  }

  private static IOException failure(String what, int errno) {
    return new IOException(what + ": " + Libc.describe(errno));
  }
}
