package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pattern of scripts/bench-write that once left "root 5 inode 257 errors 220, odd file extent,
 * dir isize wrong": files written (data still buffered, nothing committed) and deleted, then a
 * directory and files created at once. When inode numbers were handed out again from the highest
 * one in the tree, the new directory got a deleted file's number and that file's buffered pages and
 * deferred size landed in it at the next writeback. Inode numbers must stay unique for the mount,
 * and btrfs check must be clean.
 */
class InodeNumberReuseTest {
  @TempDir Path dir;

  @Test
  void deletedFilesBufferedDataNeverReachesANewInode() throws Exception {
    Environment.requireOracleHost();
    Path image = dir.resolve("reuse.img");
    Loop.createSparse(image, 1L << 30);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", image.toString())).check();
    Path mnt = dir.resolve("mnt");
    Files.createDirectories(mnt);
    Set<Long> seen = new HashSet<>();
    RwFuseMount m = RwFuseMount.mount(image, mnt, "");
    try {
      for (int round = 0; round < 3; round++) {
        Path f = mnt.resolve("data" + round);
        Files.write(f, new byte[300_000]); // buffered pages and a deferred size, no commit yet
        assertTrue(seen.add(ino(f)), "inode number of " + f + " handed out twice");
        Files.delete(f);
      }
      Path small = Files.createDirectory(mnt.resolve("small"));
      assertTrue(seen.add(ino(small)), "the new directory reused a deleted file's number");
      for (int i = 0; i < 50; i++) {
        Path g = small.resolve("f" + i);
        Files.writeString(g, "file " + i + "\n");
        assertTrue(seen.add(ino(g)), "inode number of " + g + " handed out twice");
      }
    } finally {
      m.close();
    }
    BtrfsCheck.assertClean(image, "after deleting buffered files and creating new inodes");
  }

  private static long ino(Path p) throws Exception {
    return ((Number) Files.getAttribute(p, "unix:ino")).longValue();
  }
}
