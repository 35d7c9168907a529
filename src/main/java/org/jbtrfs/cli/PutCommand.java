package org.jbtrfs.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Timespec;
import org.jbtrfs.fs.write.FsOps;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `put IMAGE LOCAL_PATH IMAGE_PATH`: copies a local file or tree into an unmounted image,
 * preserving modes, owners, times, symlinks, hard links, device nodes and user xattrs.
 */
@Command(name = "put", description = "Copy a local file or directory tree into an image.")
final class PutCommand implements Callable<Integer> {
  @Parameters(index = "0")
  Path image;

  @Parameters(index = "1")
  Path local;

  @Parameters(index = "2")
  String target;

  @Option(names = "--device")
  List<Path> devices = new ArrayList<>();

  @Option(names = "--commit-every", description = "Commit after this many files (bounds memory).")
  int commitEvery = 2000;

  private final Map<Object, Long> hardLinks = new HashMap<>();
  private int sinceCommit;

  @Override
  public Integer call() throws Exception {
    try (WritableImage img = WritableImage.open(image, devices)) {
      WritableImage.Parent p = img.parentOf(target);
      copy(img, local, p.dir(), p.name());
      img.commit();
    }
    return 0;
  }

  private void copy(WritableImage img, Path src, long dir, byte[] name) throws IOException {
    FsOps ops = img.ops();
    Map<String, Object> a = Files.readAttributes(src, "unix:*", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    long uid = (Integer) a.get("uid");
    long gid = (Integer) a.get("gid");
    Object fileKey = a.get("fileKey");
    if (!FileType.isDir(mode) && (Integer) a.get("nlink") > 1 && hardLinks.containsKey(fileKey)) {
      ops.link(hardLinks.get(fileKey), dir, name);
      return;
    }
    long ino;
    if (FileType.isDir(mode)) {
      ino = ops.create(dir, name, mode, uid, gid, 0);
      try (Stream<Path> children = Files.list(src)) {
        for (Path c : children.sorted().toList()) {
          copy(img, c, ino, c.getFileName().toString().getBytes(StandardCharsets.UTF_8));
        }
      }
    } else if (FileType.isSymlink(mode)) {
      byte[] t = Files.readSymbolicLink(src).toString().getBytes(StandardCharsets.UTF_8);
      ino = ops.symlink(dir, name, t, uid, gid);
    } else if (FileType.isReg(mode)) {
      ino = ops.create(dir, name, mode, uid, gid, 0);
      try (java.io.InputStream in = Files.newInputStream(src)) {
        ops.data().writeNewFile(ino, in, (Long) a.get("size"));
      }
    } else {
      long rdev = (Long) a.get("rdev");
      ino = ops.create(dir, name, mode, uid, gid, org.jbtrfs.format.DeviceNumbers.toDisk(rdev));
    }
    copyXattrs(ops, src, ino);
    InodeItem i = ops.fileTree().inode(ino);
    ops.fileTree()
        .putInode(
            ino,
            i.withTimes(
                time((FileTime) a.get("lastAccessTime")),
                i.ctime(),
                time((FileTime) a.get("lastModifiedTime"))));
    if ((Integer) a.get("nlink") > 1 && !FileType.isDir(mode)) hardLinks.put(fileKey, ino);
    if (++sinceCommit >= commitEvery) {
      img.commit();
      sinceCommit = 0;
    }
  }

  private static void copyXattrs(FsOps ops, Path src, long ino) throws IOException {
    // Linux allows user.* xattrs only on regular files and directories, and listing them opens
    // the file: open() of a FIFO blocks until a writer appears, so put hung on any tree holding
    // one.
    if (!Files.isRegularFile(src, LinkOption.NOFOLLOW_LINKS)
        && !Files.isDirectory(src, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    UserDefinedFileAttributeView v =
        Files.getFileAttributeView(src, UserDefinedFileAttributeView.class);
    if (v == null) return;
    for (String n : v.list()) {
      java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(v.size(n));
      v.read(n, buf);
      ops.xattrs().set(ino, ("user." + n).getBytes(StandardCharsets.UTF_8), buf.array());
    }
  }

  private static Timespec time(FileTime t) {
    var inst = t.toInstant();
    return new Timespec(inst.getEpochSecond(), inst.getNano());
  }
}
