package org.jbtrfs.cli;

import java.util.concurrent.Callable;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.RootRef;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.SubvolumePaths;
import org.jbtrfs.tree.Cursor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** `subvolume list`, `create`, `snapshot` and `delete` on unmounted images. */
@Command(
    name = "subvolume",
    description = "Subvolume commands.",
    subcommands = {
      SubvolumeCommand.ListCommand.class,
      SubvolumeCreateCommands.Create.class,
      SubvolumeCreateCommands.Snapshot.class,
      SubvolumeCreateCommands.Delete.class,
      SubvolumeSettingsCommands.GetDefault.class,
      SubvolumeSettingsCommands.SetDefault.class,
      SubvolumeSyncCommand.class
    })
final class SubvolumeCommand implements Runnable {
  @Override
  public void run() {
    System.err.println(
        "usage: jbtrfs subvolume list IMAGE | create IMAGE [DIR/]NAME"
            + " | snapshot [-r] IMAGE SOURCE DEST|[DIR/]NAME | delete IMAGE PATH..."
            + " | sync PATH|IMAGE [SUBVOLID...]");
  }

  @Command(name = "list", description = "List subvolumes and snapshots.")
  static final class ListCommand implements Callable<Integer> {
    @Mixin ImageArgs image;

    @Override
    public Integer call() throws Exception {
      try (Filesystem fs = image.open()) {
        for (Cursor c = fs.rootTree().seekCeil(Key.MIN); c.valid(); c.next()) {
          if (c.type() != ItemType.ROOT_BACKREF) continue;
          RootRef ref = RootRef.parse(c.raw(), c.dataOffset(), c.dataSize());
          long id = c.objectId();
          long gen = fs.rootItem(id) == null ? 0 : fs.rootItem(id).generation();
          System.out.println(
              "ID "
                  + id
                  + " gen "
                  + gen
                  + " top level "
                  + c.offset()
                  + " path "
                  + SubvolumePaths.pathOf(fs, id));
        }
      }
      return 0;
    }
  }
}
