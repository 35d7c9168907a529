package org.jbtrfs.cli;

import java.io.FileNotFoundException;
import java.nio.file.Path;
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

    @Parameters(index = "1", description = "Image file or device.")
    Path image;

    @Parameters(index = "2", description = "A subvolume's path in the image.")
    String path;

    @Parameters(index = "3", arity = "0..1", description = "ro")
    String name;

    @Parameters(index = "4", arity = "0..1", description = "true or false")
    String value;

    @picocli.CommandLine.Mixin ExtraDevices devices;

    @Override
    public Integer call() throws Exception {
      if (name != null && !name.equals("ro")) {
        throw new FsError(FsError.EINVAL, "unknown property: " + name + " (only ro)");
      }
      try (WritableImage img = WritableImage.open(image, devices.list)) {
        Node n = subvolumeAt(img, path);
        switch (action) {
          case "get" ->
              System.out.println(
                  "ro=" + ((n.subvolume().rootItem().flags() & RootItem.FLAG_RDONLY) != 0));
          case "set" -> {
            if (!"true".equals(value) && !"false".equals(value)) {
              throw new FsError(FsError.EINVAL, "ro takes true or false");
            }
            new SubvolumeSettings(img.engine())
                .setReadOnly(n.subvolume().id(), Boolean.parseBoolean(value));
            img.commit();
          }
          default -> throw new FsError(FsError.EINVAL, "property " + action + ": get or set");
        }
      }
      return 0;
    }
  }

  private static Node subvolumeAt(WritableImage img, String path) throws java.io.IOException {
    Node n = img.node(path);
    if (n == null) throw new FileNotFoundException("cannot access '" + path + "'");
    if (n.isPlaceholder() || n.ino() != n.subvolume().rootDirIno()) {
      throw new FsError(FsError.EINVAL, "'" + path + "' is not a subvolume");
    }
    return n;
  }
}
