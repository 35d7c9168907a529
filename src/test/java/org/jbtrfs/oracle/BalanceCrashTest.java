package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of the daemon in the middle of a live balance (data, then metadata) and of a live device
 * remove, at random moments: each time btrfs check is clean and a kernel mount reads exactly what
 * was there before, whatever part of the work the last commit holds; a balance run to its end
 * afterwards finishes the job.
 */
class BalanceCrashTest {
  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @Test
  void killsDuringBalanceAndDeviceRemoveLoseNothing() throws Exception {
    long seed = Long.getLong("crash.seed", System.nanoTime());
    SplittableRandom random = new SplittableRandom(seed);
    System.out.println("BalanceCrashTest: seed " + seed);
    ScratchImage img =
        ScratchImage.create(
            dir,
            "crash",
            500L << 20,
            3,
            List.of("-d", "raid1", "-m", "raid1"),
            "for i in $(seq 1 1200); do head -c 65536 /dev/urandom > f$i; done && btrfs -q"
                + " subvolume snapshot . snap && for i in $(seq 1 1200 | grep '[02468]$'); do rm"
                + " f$i; done && sync");
    List<Path> devs = new java.util.ArrayList<>(img.devices());
    Manifest before = manifest(devs, "k0");
    String[][] rounds = {
      {"balance", "start", "-d"},
      {"balance", "start", "-d"},
      {"balance", "start", "-m"},
      {"device", "remove", "3"},
      {"device", "remove", "3"},
    };
    int landed = 0;
    for (String[] op : rounds) {
      Path mnt = Files.createDirectories(dir.resolve("mnt"));
      String[] argv = java.util.Arrays.copyOf(op, op.length + 1);
      argv[op.length] = mnt.toString();
      // One 64 KiB extent per step and a pause after each: a kill lands in the middle.
      boolean during = BalanceKills.killDuring(devs, mnt, argv, 300 + random.nextInt(3000));
      if (during) landed++;
      System.out.println(
          "BalanceCrashTest: kill during '"
              + String.join(" ", op)
              + "': "
              + (during ? "yes" : "after it ended"));
      if (devs.size() == 3 && !BalanceKills.holdsBtrfs(devs.get(2)))
        devs.remove(2); // the remove finished
      check(devs, "after a kill during " + String.join(" ", op));
      List<String> d = Manifest.diff(before, manifest(devs, "k"), Set.of("atime"));
      assertThat(d)
          .as(
              "the kernel after a kill during "
                  + String.join(" ", op)
                  + ": "
                  + Manifest.report(d, 20))
          .isEmpty();
    }
    assertThat(landed).as("kills that landed while the operation ran").isPositive();
    // A kill during a balance leaves its balance item, and every mount after it goes on with it:
    // whatever is still recorded is resumed to its end offline first.
    List<String> resume = new java.util.ArrayList<>(List.of("balance", "resume"));
    resume.add(devs.get(0).toString());
    for (Path p : devs.subList(1, devs.size())) resume.addAll(List.of("--device", p.toString()));
    ScrubRepairTest.Run resumed = ScrubRepairTest.jbtrfs(resume.toArray(new String[0]));
    assertThat(resumed.rc() == 0 || resumed.err().contains("Not in progress"))
        .as(resumed.all())
        .isTrue();
    List<String> argv = new java.util.ArrayList<>(List.of("balance", "start", "--full-balance"));
    argv.add(devs.get(0).toString());
    for (Path p : devs.subList(1, devs.size())) argv.addAll(List.of("--device", p.toString()));
    ScrubRepairTest.Run finish = ScrubRepairTest.jbtrfs(argv.toArray(new String[0]));
    assertThat(finish.rc()).as(finish.all()).isZero();
    check(devs, "after a balance to the end");
    List<String> d = Manifest.diff(before, manifest(devs, "kend"), Set.of("atime"));
    assertThat(d).as("the kernel at the end: " + Manifest.report(d, 20)).isEmpty();
  }

  private static void check(List<Path> devs, String when) {
    try (Loop loop = Loop.attach(devs)) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), when);
    }
  }

  private Manifest manifest(List<Path> devs, String name) {
    try (Loop loop = Loop.attach(devs);
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve(name), "")) {
      return ManifestReader.read(k.path());
    }
  }
}
