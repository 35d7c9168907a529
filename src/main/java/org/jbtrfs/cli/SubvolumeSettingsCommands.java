package org.jbtrfs.cli;

import java.io.FileNotFoundException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.format.RootItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.SubvolumePaths;
import org.jbtrfs.fs.write.FsError;
import org.jbtrfs.fs.write.SubvolumeSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * `subvolume get-default`, `subvolume set-default` and `property get|set PATH ro` on an unmounted
 * image, with btrfs-progs' arguments and output.
 */
final class SubvolumeSettingsCommands {
  private SubvolumeSettingsCommands() {}

  @Command(name = "get-default", description = "Show the default subvolume.")
  static final class GetDefault implements Callable<Integer> {
    @picocli.CommandLine.Mixin ImageArgs image;

    @Override
    public Integer call() throws Exception {
      try (Filesystem fs = image.open()) {
        long id = fs.defaultSubvolumeId();
        if (id == ObjectIds.FS_TREE) {
          System.out.println("ID 5 (FS_TREE)");
        } else {
          RootItem ri = fs.rootItem(id);
          System.out.println(
              "ID "
                  + id
                  + " gen "
                  + ri.generation()
                  + " top level "
                  + SubvolumePaths.parentOf(fs, id)
                  + " path "
                  + SubvolumePaths.pathOf(fs, id));
        }
      }
      return 0;
    }
  }

  @Command(name = "set-default", description = "Set the default subvolume: ID or PATH.")
  static final class SetDefault implements Callable<Integer> {
    @Parameters(index = "0", description = "Image file or device.")
    Path image;

    @Parameters(index = "1", description = "A subvolume id, or a subvolume's path in the image.")
    String subvolume;

    @picocli.CommandLine.Mixin ExtraDevices devices;

    @Override
    public Integer call() throws Exception {
      try (WritableImage img = WritableImage.open(image, devices.list)) {
        long id;
        if (subvolume.matches("\\d+")) {
          id = Long.parseLong(subvolume);
        } else {
          id = subvolumeAt(img, subvolume).subvolume().id();
        }
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
