package org.jbtrfs.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.jbtrfs.txn.DeadSubvolumes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `subvolume sync PATH|IMAGE [SUBVOLID...]`: waits until deleted subvolumes are dropped, with
 * btrfs-progs' output. On a mount it watches the root tree (tree search) while the daemon's cleaner
 * drops them; on an image, where no cleaner runs, it drops them itself.
 */
@Command(name = "sync", description = "Wait until deleted subvolumes are cleaned.")
final class SubvolumeSyncCommand implements Callable<Integer> {
  @Option(names = "-s", paramLabel = "SECONDS", description = "Sleep between checks (default 1).")
  int sleepSeconds = 1;

  @Parameters(index = "0", paramLabel = "PATH|IMAGE")
  Path target;

  @Parameters(index = "1..*", paramLabel = "SUBVOLID", arity = "0..*")
  List<Long> ids = new ArrayList<>();

  @picocli.CommandLine.Mixin ExtraDevices devices;

  @Override
  public Integer call() throws Exception {
    if (!Files.isDirectory(target)) return syncImage();
    LiveRootTree mount = new LiveRootTree(target);
    List<Long> waiting = ids.isEmpty() ? mount.deletedIds() : new ArrayList<>(ids);
    if (waiting.isEmpty()) return 0;
    announce(waiting.size());
    int done = 0;
    for (long id : waiting) {
      while (mount.rootItem(id) != null) Thread.sleep(sleepSeconds * 1000L);
      gone(id, ++done, waiting.size());
    }
    return 0;
  }

  private int syncImage() throws Exception {
    try (WritableImage img = WritableImage.open(target, devices.list)) {
      List<Long> waiting = DeadSubvolumes.pending(img.engine());
      if (!ids.isEmpty()) waiting = new ArrayList<>(ids);
      if (waiting.isEmpty()) return 0;
      announce(waiting.size());
      DeadSubvolumes.dropAll(img.engine(), DeadSubvolumes.LEAVES_PER_PIECE);
      int done = 0;
      for (long id : waiting) {
        gone(id, ++done, waiting.size());
      }
    }
    return 0;
  }

  private static void gone(long id, int done, int total) {
    System.out.println("Subvolume id " + id + " is gone (" + done + "/" + total + ")");
  }

  private static void announce(int n) {
    System.out.println("Waiting for " + n + " subvolume" + (n > 1 ? "s" : ""));
  }
}
