package org.jbtrfs.cli;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.Xattrs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Prints an inode of an unmounted image, with its xattr names. */
@Command(name = "stat", description = "Show an inode.")
final class StatCommand implements Callable<Integer> {
  @Mixin ImageArgs image;

  @Parameters(index = "1", description = "Path.")
  String path;

  @Override
  public Integer call() throws Exception {
    try (Filesystem fs = image.open()) {
      Node n = PathArgs.resolve(fs, path);
      InodeItem i = n.inode();
      System.out.println("  File: " + path);
      System.out.println("  Subvolume: " + n.subvolume().id() + "  Inode: " + n.ino());
      System.out.println(
          "  Size: " + i.size() + "  Bytes on disk: " + i.nbytes() + "  Links: " + i.nlink());
      System.out.println(
          "  Mode: "
              + Integer.toOctalString(i.mode())
              + "  Uid: "
              + i.uid()
              + "  Gid: "
              + i.gid()
              + "  Rdev: "
              + i.rdev()
              + "  Flags: 0x"
              + Long.toHexString(i.flags()));
      System.out.println("  Access: " + time(i.atime()));
      System.out.println("  Modify: " + time(i.mtime()));
      System.out.println("  Change: " + time(i.ctime()));
      System.out.println("  Birth: " + time(i.otime()));
      for (byte[] name : Xattrs.list(n))
        System.out.println("  xattr: " + new String(name, StandardCharsets.UTF_8));
    }
    return 0;
  }

  private static String time(Timespec t) {
    return t.sec() + "." + String.format("%09d", t.nsec());
  }
}
