package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.os.Libc;

/**
 * Reads a mounted filesystem's trees with BTRFS_IOC_TREE_SEARCH, as btrfs-progs does: a jbtrfs
 * daemon answers it, and so does a kernel btrfs mount.
 */
final class LiveTreeSearch {
  private static final long TREE_SEARCH = 0xd0009411L;
  private static final int ARGS_SIZE = 4096;
  private static final int KEY_SIZE = 104;
  private static final int HEADER_SIZE = 32;

  private LiveTreeSearch() {}

  /** Every item of tree {@code treeId} with a key from {@code min} to {@code max}. */
  static List<RootTreeSource.Item> items(Path onFs, long treeId, Key min, Key max)
      throws IOException {
    Libc libc = Libc.load();
    int fd = libc.open(onFs.toString(), Libc.O_RDONLY | Libc.O_DIRECTORY | Libc.O_CLOEXEC);
    if (fd < 0) throw new IOException("cannot open '" + onFs + "': " + Libc.describe(Libc.errno()));
    List<RootTreeSource.Item> found = new ArrayList<>();
    try {
      Key from = min;
      while (true) {
        byte[] args = new byte[ARGS_SIZE];
        Le.put64(args, 0, treeId);
        Le.put64(args, 8, from.objectId());
        Le.put64(args, 16, max.objectId());
        Le.put64(args, 24, from.offset());
        Le.put64(args, 32, max.offset());
        Le.put64(args, 40, 0);
        Le.put64(args, 48, -1L);
        Le.put32(args, 56, from.type());
        Le.put32(args, 60, max.type());
        Le.put32(args, 64, 4096);
        if (libc.ioctl(fd, TREE_SEARCH, args) < 0) {
          int e = Libc.errno();
          String why = "tree search on '" + onFs + "': " + Libc.describe(e);
          if (e == 25) why += " (not a btrfs or jbtrfs filesystem)"; // ENOTTY
          throw new IOException(why);
        }
        int n = (int) Le.u32(args, 64);
        if (n == 0) return found;
        int at = KEY_SIZE;
        Key last = null;
        for (int i = 0; i < n; i++) {
          long transid = Le.u64(args, at);
          last = new Key(Le.u64(args, at + 8), (int) Le.u32(args, at + 24), Le.u64(args, at + 16));
          int len = (int) Le.u32(args, at + 28);
          byte[] data =
              java.util.Arrays.copyOfRange(args, at + HEADER_SIZE, at + HEADER_SIZE + len);
          found.add(new RootTreeSource.Item(transid, last, data));
          at += HEADER_SIZE + len;
        }
        Key next = successor(last);
        if (next == null || next.compareTo(max) > 0) return found;
        from = next;
      }
    } finally {
      libc.close(fd);
    }
  }

  /** The smallest key after {@code k}, or null past the last. */
  private static Key successor(Key k) {
    if (k.offset() != -1L) return new Key(k.objectId(), k.type(), k.offset() + 1);
    if (k.type() != 0xff) return new Key(k.objectId(), k.type() + 1, 0);
    if (k.objectId() != -1L) return new Key(k.objectId() + 1, 0, 0);
    return null;
  }
}
