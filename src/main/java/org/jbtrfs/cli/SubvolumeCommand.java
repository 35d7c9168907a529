package org.jbtrfs.cli;

import picocli.CommandLine.Command;

/** `subvolume` commands, on unmounted images and on mounts. */
@Command(
    name = "subvolume",
    description = "Subvolume commands.",
    subcommands = {
      SubvolumeListCommand.class,
      SubvolumeShowCommand.class,
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
        "usage: jbtrfs subvolume list PATH|IMAGE | show PATH|IMAGE PATH | create IMAGE [DIR/]NAME"
            + " | snapshot [-r] IMAGE SOURCE DEST|[DIR/]NAME | delete IMAGE PATH..."
            + " | sync PATH|IMAGE [SUBVOLID...]");
  }
}
