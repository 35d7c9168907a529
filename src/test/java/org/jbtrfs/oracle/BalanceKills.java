package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.List;

/** kill -9 of the daemon in the middle of a balance-like command run through its mount. */
final class BalanceKills {
  private BalanceKills() {}

  /**
   * Mounts {@code devs} on {@code mnt} with steps of one extent and a pause after each, runs {@code
   * argv} (its last argument the mountpoint) against it and kills the daemon after {@code
   * delayMillis}; returns whether the command was still running then.
   */
  static boolean killDuring(List<Path> devs, Path mnt, String[] argv, long delayMillis)
      throws InterruptedException {
    try (RwFuseMount m =
        RwFuseMount.mount(
            devs,
            mnt,
            "noatime",
            "-Djbtrfs.balanceStepBytes=4096 -Djbtrfs.balanceStepPauseMillis=20")) {
      Thread t = new Thread(() -> ScrubRepairTest.jbtrfs(argv));
      t.start();
      Thread.sleep(delayMillis);
      boolean during = t.isAlive();
      m.kill9();
      t.join();
      return during;
    }
  }

  /** Whether blkid still finds a btrfs superblock on the device (not once it was removed). */
  static boolean holdsBtrfs(Path device) {
    Cmd.Result r = Cmd.run(List.of("blkid", "-p", device.toString()));
    return (r.out() + r.stderr()).contains("btrfs");
  }
}
