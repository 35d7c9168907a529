package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.os.Libc;

/**
 * {@link RootTreeSource} of a mounted filesystem: BTRFS_IOC_TREE_SEARCH and BTRFS_IOC_INO_LOOKUP on
 * a directory of it, as btrfs-progs reads a mount (a jbtrfs daemon answers both, as the kernel).
 */
final class LiveRootTree implements RootTreeSource {
  private static final long INO_LOOKUP = 0xd0009412L;
  private static final int ARGS_SIZE = 4096;
  private static final int NAME = 16;

  private final Path onFs;

  LiveRootTree(Path onFs) {
    this.onFs = onFs;
  }

  @Override
  public List<Item> items(long treeId, Key min, Key max) throws IOException {
    return LiveTreeSearch.items(onFs, treeId, min, max);
  }

  @Override
  public String dirPath(long subvol, long dir) throws IOException {
    byte[] args = new byte[ARGS_SIZE];
    Le.put64(args, 0, subvol);
    Le.put64(args, 8, dir);
    return new String(args, NAME, lookup(args), StandardCharsets.UTF_8);
  }

  /** The id of the subvolume the path is in (INO_LOOKUP with tree id 0 on its top directory). */
  long subvolumeOfPath() throws IOException {
    byte[] args = new byte[ARGS_SIZE];
    Le.put64(args, 8, 256);
    lookup(args);
    return Le.u64(args, 0);
  }

  private int lookup(byte[] args) throws IOException {
    Libc libc = Libc.load();
    int fd = libc.open(onFs.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
    if (fd < 0) throw new IOException("cannot open '" + onFs + "': " + Libc.describe(Libc.errno()));
    try {
      if (libc.ioctl(fd, INO_LOOKUP, args) < 0) {
        throw new IOException("inode lookup on '" + onFs + "': " + Libc.describe(Libc.errno()));
      }
    } finally {
      libc.close(fd);
    }
    int n = 0;
    while (NAME + n < ARGS_SIZE && args[NAME + n] != 0) n++;
    return n;
  }
}
