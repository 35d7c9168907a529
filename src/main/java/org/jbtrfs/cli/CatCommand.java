package org.jbtrfs.cli;

import java.io.OutputStream;
import java.util.concurrent.Callable;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** Writes a file of an unmounted image to stdout. */
@Command(name = "cat", description = "Print a file's contents.")
final class CatCommand implements Callable<Integer> {
  @Mixin ImageArgs image;

  @Parameters(index = "1", description = "File path.")
  String path;

  @Override
  public Integer call() throws Exception {
    try (Filesystem fs = image.open()) {
      Node n = PathArgs.resolve(fs, path);
      InodeItem inode = n.inode();
      if (!FileType.isReg(inode.mode())) {
        System.err.println(path + ": not a regular file");
        return 1;
      }
      byte[] buf = new byte[1 << 20];
      OutputStream out = System.out;
      for (long pos = 0; pos < inode.size(); ) {
        int got = FileReader.read(n, inode, pos, buf, 0, buf.length);
        if (got <= 0) break;
        out.write(buf, 0, got);
        pos += got;
      }
      out.flush();
    }
    return 0;
  }
}
