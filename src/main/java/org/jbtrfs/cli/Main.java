package org.jbtrfs.cli;

import org.jbtrfs.fuse.MountCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The jbtrfs command line: mount, and inspection commands that work on unmounted images. */
@Command(
    name = "jbtrfs",
    mixinStandardHelpOptions = true,
    version = "jbtrfs 0.1",
    description = "A user-space btrfs driver.",
    subcommands = {
      MountCommand.class,
      DumpSuperCommand.class,
      DumpTreeCommand.class,
      LsCommand.class,
      CatCommand.class,
      StatCommand.class,
      SubvolumeCommand.class,
      SubvolumeSettingsCommands.Property.class,
      UsageCommand.class,
      ScrubCommand.class,
      DeviceCommand.class,
      BalanceCommand.class,
      ReplaceCommand.class,
      FilesystemCommand.class,
      PutCommand.class,
      EditCommands.Mkdir.class,
      EditCommands.Rm.class,
      EditCommands.Mv.class,
      EditCommands.Truncate.class,
      EditCommands.SetXattr.class,
    })
public final class Main implements Runnable {
  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }

  public static void main(String[] args) {
    LogSetup.configure();
    int rc =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                  // Users get the reason; JBTRFS_LOG=FINE adds the stack trace for developers.
                  System.err.println("jbtrfs " + cmd.getCommandName() + ": " + ex.getMessage());
                  java.util.logging.Logger.getLogger(Main.class.getName())
                      .log(java.util.logging.Level.FINE, "failure", ex);
                  // mount(8)'s status for a busy device, so scripts can tell it apart.
                  return ex instanceof org.jbtrfs.device.DeviceBusyException ? 32 : 1;
                })
            .execute(args);
    // The mount command returns after unmount; any FUSE threads left must not keep us alive.
    System.exit(rc);
  }
}
