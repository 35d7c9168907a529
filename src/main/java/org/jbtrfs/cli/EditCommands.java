package org.jbtrfs.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.write.FsOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Small editing commands on an unmounted image; each is one transaction. */
final class EditCommands {
  private EditCommands() {}

  abstract static class Base implements Callable<Integer> {
    @Parameters(index = "0")
    Path image;

    @Option(names = "--device")
    List<Path> devices = new ArrayList<>();

    abstract void apply(WritableImage img) throws Exception;

    @Override
    public Integer call() throws Exception {
      try (WritableImage img = WritableImage.open(image, devices)) {
        apply(img);
        img.commit();
      }
      return 0;
    }
  }

  @Command(name = "mkdir", description = "Create a directory.")
  static final class Mkdir extends Base {
    @Parameters(index = "1")
    String path;

    @Option(names = "-m", description = "Mode (octal).")
    String mode = "755";

    @Override
    void apply(WritableImage img) throws Exception {
      WritableImage.Parent p = img.parentOf(path);
      img.ops().create(p.dir(), p.name(), FileType.S_IFDIR | Integer.parseInt(mode, 8), 0, 0, 0);
    }
  }

  @Command(name = "rm", description = "Remove a file, or a tree with -r.")
  static final class Rm extends Base {
    @Parameters(index = "1")
    String path;

    @Option(names = "-r")
    boolean recursive;

    @Override
    void apply(WritableImage img) throws Exception {
      WritableImage.Parent p = img.parentOf(path);
      remove(img.ops(), p.dir(), p.name(), recursive);
    }

    static void remove(FsOps ops, long dir, byte[] name, boolean recursive) throws Exception {
      var e = ops.entries().lookup(dir, name);
      if (e == null)
        throw new java.io.FileNotFoundException(new String(name, StandardCharsets.UTF_8));
      InodeItem i = ops.fileTree().inode(e.ino());
      if (FileType.isDir(i.mode())) {
        if (recursive)
          for (byte[] child : ops.entries().names(e.ino())) remove(ops, e.ino(), child, true);
        ops.rmdir(dir, name);
      } else {
        ops.unlink(dir, name);
      }
    }
  }

  @Command(name = "mv", description = "Rename or move.")
  static final class Mv extends Base {
    @Parameters(index = "1")
    String from;

    @Parameters(index = "2")
    String to;

    @Override
    void apply(WritableImage img) throws Exception {
      WritableImage.Parent a = img.parentOf(from);
      WritableImage.Parent b = img.parentOf(to);
      img.ops().rename(a.dir(), a.name(), b.dir(), b.name());
    }
  }

  @Command(name = "truncate", description = "Set a file's size.")
  static final class Truncate extends Base {
    @Parameters(index = "1")
    String path;

    @Parameters(index = "2")
    long size;

    @Override
    void apply(WritableImage img) throws Exception {
      img.ops().data().truncate(img.resolve(path), size);
    }
  }

  @Command(name = "setfattr", description = "Set (-v) or remove (-x) an extended attribute.")
  static final class SetXattr extends Base {
    @Parameters(index = "1")
    String path;

    @Option(names = "-n")
    String name;

    @Option(names = "-v")
    String value;

    @Option(names = "-x")
    String remove;

    @Override
    void apply(WritableImage img) throws Exception {
      long ino = img.resolve(path);
      if (remove != null) {
        if (!img.ops().xattrs().remove(ino, remove.getBytes(StandardCharsets.UTF_8))) {
          throw new java.io.IOException(remove + ": no such attribute");
        }
      } else {
        img.ops()
            .xattrs()
            .set(
                ino,
                name.getBytes(StandardCharsets.UTF_8),
                (value == null ? "" : value).getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
