package org.jbtrfs.cli;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.DirEntry;
import org.jbtrfs.fs.Directories;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Lists a directory of an unmounted image, in readdir (dir index) order. */
@Command(name = "ls", description = "List a directory.")
final class LsCommand implements Callable<Integer> {
  @Mixin ImageArgs image;

  @Parameters(index = "1", defaultValue = "/", description = "Directory path.")
  String path;

  @Option(names = "-l", description = "Long listing.")
  boolean longFormat;

  @Override
  public Integer call() throws Exception {
    try (Filesystem fs = image.open()) {
      Node dir = PathArgs.resolve(fs, path);
      InodeItem di = dir.inode();
      if (!FileType.isDir(di.mode())) {
        System.err.println(path + ": not a directory");
        return 1;
      }
      PathResolver r = new PathResolver(fs, dir);
      long from = 0;
      while (true) {
        List<DirEntry> batch = Directories.list(dir.subvolume(), dir.ino(), from, 1024);
        if (batch.isEmpty()) break;
        for (DirEntry e : batch) {
          String name = new String(e.name(), StandardCharsets.UTF_8);
          if (longFormat) {
            Node n = r.target(dir, e);
            InodeItem i = n.inode();
            System.out.printf(
                "%7o %3d %5d %5d %12d %s%n", i.mode(), i.nlink(), i.uid(), i.gid(), i.size(), name);
          } else {
            System.out.println(name);
          }
          from = e.index() + 1;
        }
      }
    }
    return 0;
  }
}
