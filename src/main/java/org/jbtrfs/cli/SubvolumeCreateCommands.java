package org.jbtrfs.cli;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.FileType;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.write.FsError;
import org.jbtrfs.fs.write.SubvolumeCreation;
import org.jbtrfs.fs.write.SubvolumeDeletion;
import org.jbtrfs.txn.DeadSubvolumes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `subvolume create`, `snapshot` and `delete` on an unmounted image, with btrfs-progs' arguments
 * and messages; paths are inside the image's default subvolume. Each is one transaction.
 */
final class SubvolumeCreateCommands {
  private SubvolumeCreateCommands() {}

  @Command(name = "create", description = "Create a subvolume: on an image, or on a mount.")
  static final class Create implements Callable<Integer> {
    @Parameters(
        arity = "1..2",
        paramLabel = "[IMAGE] [DIR/]NAME",
        description = "An image and a path in it, or a path on a mounted filesystem.")
    List<String> args;

    @picocli.CommandLine.Mixin ExtraDevices devices;

    @Override
    public Integer call() throws Exception {
      if (args.size() == 1) {
        Path dest = Path.of(args.get(0)).toAbsolutePath();
        System.out.println("Create subvolume '" + dest + "'");
        LiveSubvolumes.create(dest.getParent(), dest.getFileName().toString());
        return 0;
      }
      String dest = args.get(1);
      try (WritableImage img = WritableImage.open(Path.of(args.get(0)), devices.list)) {
        SubvolumeCreation.Destination d = destination(img, dest, null);
        System.out.println("Create subvolume '" + shown(dest, d) + "'");
        new SubvolumeCreation(img.engine()).create(d, 0, 0);
        img.commit();
      }
      return 0;
    }
  }

  @Command(name = "snapshot", description = "Snapshot a subvolume: on an image, or on a mount.")
  static final class Snapshot implements Callable<Integer> {
    @Option(names = "-r", description = "Make the snapshot read-only.")
    boolean readOnly;

    @Parameters(
        arity = "2..3",
        paramLabel = "[IMAGE] SOURCE DEST",
        description = "An image and paths in it, or paths on a mounted filesystem.")
    List<String> args;

    @picocli.CommandLine.Mixin ExtraDevices devices;

    @Override
    public Integer call() throws Exception {
      if (args.size() == 2) return live(Path.of(args.get(0)), Path.of(args.get(1)));
      String source = args.get(1);
      String dest = args.get(2);
      try (WritableImage img = WritableImage.open(Path.of(args.get(0)), devices.list)) {
        Node src = img.node(source);
        if (src == null) throw new FileNotFoundException("cannot access '" + source + "'");
        if (!src.isSubvolumeTop()) {
          throw new FsError(FsError.EINVAL, "'" + source + "' is not a subvolume");
        }
        SubvolumeCreation.Destination d = destination(img, dest, lastName(source));
        System.out.println(announce(source, shown(dest, d)));
        new SubvolumeCreation(img.engine()).snapshot(src.subvolume().id(), d, readOnly);
        img.commit();
      }
      return 0;
    }

    /** As btrfs-progs: an existing directory DEST receives the snapshot under SOURCE's name. */
    private int live(Path source, Path dest) throws IOException {
      Path src = source.toAbsolutePath().normalize();
      Path d = dest.toAbsolutePath().normalize();
      requireSubvolume(src);
      Path dir = java.nio.file.Files.isDirectory(d) ? d : d.getParent();
      String name = (dir == d ? src : d).getFileName().toString();
      System.out.println(announce(src.toString(), dir.resolve(name).toString()));
      LiveSubvolumes.snapshot(src, dir, name, readOnly);
      return 0;
    }

    private String announce(String source, String where) {
      return "Create "
          + (readOnly ? "a readonly" : "a")
          + " snapshot of '"
          + source
          + "' in '"
          + where
          + "'";
    }
  }

  @Command(name = "delete", description = "Delete subvolumes: on an image, or on a mount.")
  static final class Delete implements Callable<Integer> {
    @Parameters(
        arity = "1..*",
        paramLabel = "[IMAGE] PATH",
        description = "An image and paths in it, or paths on a mounted filesystem.")
    List<String> args;

    @picocli.CommandLine.Mixin ExtraDevices devices;

    // Both always hold here: the daemon commits each deletion alone, and so does the offline
    // command. Accepted for btrfs-progs' habits; they change only the message, as there.
    @Option(
        names = {"-c", "--commit-after"},
        description = "Commit after the last deletion.")
    boolean commitAfter;

    @Option(
        names = {"-C", "--commit-each"},
        description = "Commit after each deletion.")
    boolean commitEach;

    private String message(Object path) {
      return "Delete subvolume ("
          + (commitAfter || commitEach ? "commit" : "no-commit")
          + "): '"
          + path
          + "'";
    }

    @Override
    public Integer call() throws Exception {
      if (java.nio.file.Files.isDirectory(Path.of(args.get(0)))) {
        for (String p : args) {
          Path path = Path.of(p).toAbsolutePath().normalize();
          requireSubvolume(path);
          System.out.println(message(path));
          LiveSubvolumes.delete(path.getParent(), path.getFileName().toString());
        }
        return 0;
      }
      if (args.size() < 2) throw new IOException("no subvolume to delete in " + args.get(0));
      // One transaction per subvolume, as --commit-each: each delete is whole or not at all.
      for (String path : args.subList(1, args.size())) {
        try (WritableImage img = WritableImage.open(Path.of(args.get(0)), devices.list)) {
          Node n = img.node(path);
          if (n == null) throw new FileNotFoundException("cannot access '" + path + "'");
          if (!n.isSubvolumeTop()) {
            throw new FsError(FsError.EINVAL, "'" + path + "' is not a subvolume");
          }
          System.out.println(message(path));
          new SubvolumeDeletion(img.engine()).delete(n.subvolume().id());
          img.commit();
          // No cleaner runs offline: the tree is dropped now, a committed piece at a time.
          DeadSubvolumes.dropAll(img.engine(), DeadSubvolumes.LEAVES_PER_PIECE);
        }
      }
      return 0;
    }
  }

  /**
   * As btrfs-progs checks a path on a mount: a subvolume's top directory has inode number 256 (a
   * jbtrfs mount shows subvolumes other than the mounted one with their id above bit 40).
   */
  static void requireSubvolume(Path p) throws IOException {
    long ino = (Long) java.nio.file.Files.getAttribute(p, "unix:ino");
    if (!java.nio.file.Files.isDirectory(p) || (ino & ((1L << 40) - 1)) != 256) {
      throw new IOException("not a subvolume: " + p);
    }
  }

  /**
   * As btrfs-progs reads a destination: an existing directory receives {@code defaultName} (the
   * source's name) when there is one; otherwise the last component is the new name and the rest
   * must be an existing directory.
   */
  private static SubvolumeCreation.Destination destination(
      WritableImage img, String path, byte[] defaultName) throws IOException {
    Node existing = img.node(path);
    if (existing != null) {
      if (defaultName == null || !isDirectory(existing)) {
        throw new FsError(FsError.EEXIST, "target path already exists: " + path);
      }
      return new SubvolumeCreation.Destination(
          existing.subvolume().id(), existing.ino(), defaultName);
    }
    byte[] name = lastName(path);
    if (name == null) throw new FsError(FsError.EINVAL, "no name in '" + path + "'");
    String parentPath = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
    Node parent = img.node(parentPath);
    if (parent == null || !isDirectory(parent)) {
      throw new FileNotFoundException("cannot access '" + parentPath + "': no such directory");
    }
    if (parent.isPlaceholder()) {
      throw new FsError(FsError.EPERM, "'" + parentPath + "' is a nested subvolume's placeholder");
    }
    return new SubvolumeCreation.Destination(parent.subvolume().id(), parent.ino(), name);
  }

  private static boolean isDirectory(Node n) throws IOException {
    var inode = n.inode();
    return inode != null && (inode.mode() & FileType.S_IFMT) == FileType.S_IFDIR;
  }

  private static byte[] lastName(String path) {
    String p = path;
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (p.isEmpty() || p.equals(".")) return null;
    return p.substring(p.lastIndexOf('/') + 1).getBytes(StandardCharsets.UTF_8);
  }

  /** The new subvolume's path as btrfs-progs prints it: DIR/NAME. */
  private static String shown(String path, SubvolumeCreation.Destination d) {
    String name = new String(d.name(), StandardCharsets.UTF_8);
    String p = path;
    while (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    return p.endsWith("/" + name) || p.equals(name) ? p : p + "/" + name;
  }
}
