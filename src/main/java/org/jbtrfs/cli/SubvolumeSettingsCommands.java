package org.jbtrfs.cli;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.DirItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.NameHash;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.write.FsError;
import org.jbtrfs.fs.write.SubvolumeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * `subvolume get-default`, `subvolume set-default` and `property get|set PATH ro`, on an unmounted
 * image or a mount, with btrfs-progs' arguments and output.
 */
final class SubvolumeSettingsCommands {
  private SubvolumeSettingsCommands() {}

  @Command(name = "get-default", description = "Show the default subvolume.")
  static final class GetDefault implements Callable<Integer> {
    @picocli.CommandLine.Mixin ImageArgs image;

    @Override
    public Integer call() throws Exception {
      if (java.nio.file.Files.isDirectory(image.image)) {
        print(new LiveRootTree(image.image));
        return 0;
      }
      try (Filesystem fs = image.open()) {
        print(new ImageRootTree(fs));
      }
      return 0;
    }

    private static void print(RootTreeSource src) throws java.io.IOException {
      long id = defaultId(src);
      if (id == ObjectIds.FS_TREE) {
        System.out.println("ID 5 (FS_TREE)");
        return;
      }
      for (SubvolumeInfo s : SubvolumeInfo.all(src)) {
        if (s.id() != id) continue;
        System.out.println(
            "ID "
                + id
                + " gen "
                + s.generation()
                + " top level "
                + s.parent()
                + " path "
                + s.path());
        return;
      }
      throw new FileNotFoundException("the default subvolume " + id + " does not exist");
    }

    /** The subvolume the root tree's "default" directory entry names (the top level if none). */
    private static long defaultId(RootTreeSource src) throws java.io.IOException {
      byte[] name = "default".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Key k = new Key(ObjectIds.ROOT_TREE_DIR, ItemType.DIR_ITEM, NameHash.crc32cName(name));
      for (RootTreeSource.Item i : src.items(ObjectIds.ROOT_TREE, k, k)) {
        for (DirItem d : DirItem.parseAll(i.data(), 0, i.data().length)) {
          if (java.util.Arrays.equals(d.name(), name)) return d.location().objectId();
        }
      }
      return ObjectIds.FS_TREE;
    }
  }

  @Command(
      name = "set-default",
      description = "Set the default subvolume: IMAGE ID|PATH, or [ID] PATH on a mount.")
  static final class SetDefault implements Callable<Integer> {
    @Parameters(arity = "1..2", paramLabel = "IMAGE ID|PATH | [ID] PATH")
    List<String> args;

    @picocli.CommandLine.Mixin ExtraDevices devices;

    @Override
    public Integer call() throws Exception {
      Path last = Path.of(args.get(args.size() - 1));
      if (java.nio.file.Files.isDirectory(last)) {
        long id;
        if (args.size() == 2) {
          id = Long.parseLong(args.get(0));
        } else {
          SubvolumeCreateCommands.requireSubvolume(last.toAbsolutePath().normalize());
          id = new LiveRootTree(last).subvolumeOfPath();
        }
        LiveSubvolumes.setDefault(last, id);
        return 0;
      }
      if (args.size() != 2) throw new FsError(FsError.EINVAL, "usage: set-default IMAGE ID|PATH");
      try (WritableImage img = WritableImage.open(Path.of(args.get(0)), devices.list)) {
        String subvolume = args.get(1);
        long id =
            subvolume.matches("\\d+")
                ? Long.parseLong(subvolume)
                : subvolumeAt(img, subvolume).subvolume().id();
        new SubvolumeSettings(img.engine()).setDefault(id);
        img.commit();
      }
      return 0;
    }
  }

  @Command(name = "property", description = "Get or set a subvolume's ro property.")
  static final class Property implements Callable<Integer> {
    @Parameters(index = "0", description = "get or set")
    String action;

    @Parameters(
        index = "1..*",
        arity = "1..4",
        paramLabel = "[IMAGE] PATH [ro [true|false]]",
        description = "An image and a path in it, or a path on a mounted filesystem.")
    List<String> args;

    @picocli.CommandLine.Mixin ExtraDevices devices;

    @Override
    public Integer call() throws Exception {
      boolean live = java.nio.file.Files.isDirectory(Path.of(args.get(0)));
      List<String> rest = live ? args : args.subList(1, args.size());
      if (rest.isEmpty()) throw new FsError(FsError.EINVAL, "no path given");
      String path = rest.get(0);
      if (rest.size() > 1 && !rest.get(1).equals("ro")) {
        throw new FsError(FsError.EINVAL, "unknown property: " + rest.get(1) + " (only ro)");
      }
      String value = rest.size() > 2 ? rest.get(2) : null;
      if (action.equals("set") && !"true".equals(value) && !"false".equals(value)) {
        throw new FsError(FsError.EINVAL, "ro takes true or false");
      }
      if (!action.equals("get") && !action.equals("set")) {
        throw new FsError(FsError.EINVAL, "property " + action + ": get or set");
      }
      if (live) {
        Path p = Path.of(path);
        if (action.equals("get")) System.out.println("ro=" + LiveSubvolumes.isReadOnly(p));
        else LiveSubvolumes.setReadOnly(p, Boolean.parseBoolean(value));
        return 0;
      }
      try (WritableImage img = WritableImage.open(Path.of(args.get(0)), devices.list)) {
        Node n = subvolumeAt(img, path);
        if (action.equals("get")) {
          System.out.println("ro=" + n.subvolume().isReadOnly());
        } else {
          new SubvolumeSettings(img.engine())
              .setReadOnly(n.subvolume().id(), Boolean.parseBoolean(value));
          img.commit();
        }
      }
      return 0;
    }
  }

  private static Node subvolumeAt(WritableImage img, String path) throws java.io.IOException {
    Node n = img.node(path);
    if (n == null) throw new FileNotFoundException("cannot access '" + path + "'");
    if (!n.isSubvolumeTop()) {
      throw new FsError(FsError.EINVAL, "'" + path + "' is not a subvolume");
    }
    return n;
  }
}
