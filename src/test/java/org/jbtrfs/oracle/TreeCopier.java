package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.write.FsOps;

/**
 * Copies a local tree of directories, regular files and symlinks into an image through the engine
 * API (the CLI's put cannot be handed wrapped devices). Every inode gets the same fixed times, so
 * two runs of the same changes produce byte-identical visible state.
 */
final class TreeCopier {
  static final Timespec FIXED = new Timespec(1_600_000_000L, 123_456_789);

  private TreeCopier() {}

  static long copy(FsOps ops, Path src, long dir, String name) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    long ino;
    if (Files.isSymbolicLink(src)) {
      ino =
          ops.symlink(
              dir,
              n,
              Files.readSymbolicLink(src).toString().getBytes(StandardCharsets.UTF_8),
              0,
              0);
    } else if (Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
      ino = ops.create(dir, n, FileType.S_IFDIR | 0755, 0, 0, 0);
      List<Path> children;
      try (Stream<Path> s = Files.list(src)) {
        children = s.sorted().toList();
      }
      for (Path c : children) copy(ops, c, ino, c.getFileName().toString());
    } else {
      ino = ops.create(dir, n, FileType.S_IFREG | 0644, 0, 0, 0);
      byte[] content = Files.readAllBytes(src);
      ops.data().writeNewFile(ino, new java.io.ByteArrayInputStream(content), content.length);
    }
    fixTimes(ops, ino);
    return ino;
  }

  /** Overwrites all three times of an inode with {@link #FIXED}. */
  static void fixTimes(FsOps ops, long ino) throws IOException {
    InodeItem i = ops.fileTree().inode(ino);
    ops.fileTree().putInode(ino, i.withTimes(FIXED, FIXED, FIXED));
  }
}
