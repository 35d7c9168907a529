package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Balance, conversions and a device remove through a live mount while the model-checked random
 * workload runs on it (every read checked against the model), then kill -9 of the daemon during a
 * balance and during a device remove. After the workload the mount, btrfs check and the kernel all
 * show exactly the model; after each kill the next mount goes on with (or is left without) the
 * recorded balance, btrfs check is clean and both jbtrfs and the kernel still show the model.
 *
 * <p>-Dfsx.seed replays a run.
 */
class BalanceWorkloadTest {
  @TempDir Path dir;

  /** What runs beside the workload, in order, each to its end. */
  private static final String[][] LIVE = {
    {"balance", "start", "--full-balance"},
    {"balance", "start", "-dconvert=raid1"},
    {"balance", "start", "-dusage=60"},
    {"balance", "start", "-dconvert=single", "-mconvert=raid1c3"},
    {"balance", "start", "-mconvert=raid1", "-f"},
    {"device", "remove", "3"},
    {"balance", "start", "-m"},
  };

  @Test
  void liveBalanceBesideTheRandomWorkloadAndKillsLeaveTheModel() throws Exception {
    Environment.requireOracleHost();
    long seed = Long.getLong("fsx.seed", System.nanoTime());
    System.err.println("BalanceWorkloadTest: seed " + seed);
    List<Path> devs = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      Path p = dir.resolve("dev" + i + ".img");
      Loop.createSparse(p, 700L << 20);
      devs.add(p);
    }
    List<String> mkfs = new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f", "-d", "single"));
    mkfs.addAll(List.of("-m", "raid1"));
    for (Path p : devs) mkfs.add(p.toString());
    Cmd.run(mkfs).check();
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    ModelDir root = new ModelDir(null, "");

    try (RwFuseMount m = RwFuseMount.mount(devs, mnt, "noatime")) {
      FsxRun run = FsxRun.start(mnt, root, "", 2, seed, Long.MAX_VALUE / 4, null);
      try {
        Thread.sleep(3000); // something to move before the first balance
        for (String[] op : LIVE) {
          ScrubRepairTest.Run r = ScrubRepairTest.jbtrfs(withTarget(op, mnt));
          System.err.println("BalanceWorkloadTest: " + String.join(" ", op) + ": " + r.out());
          assertThat(r.rc()).as(String.join(" ", op) + ": " + r.all()).isZero();
          run.rethrow();
        }
      } finally {
        run.ctx.stop = true;
        run.join(300);
      }
      run.rethrow();
      System.err.printf(
          "BalanceWorkloadTest: %d ops beside the balances; %s%n",
          run.opsDone(), run.ctx.summary());
      assertThat(run.opsDone()).as("operations done beside the balances").isGreaterThan(500);
      verify("jbtrfs (same mount)", mnt, root);
    }
    devs.remove(2); // removed through the mount: no longer part of the filesystem
    assertModel(devs, root, "after the live balances");

    SplittableRandom random = new SplittableRandom(seed);
    // The remove first: a kill during the balance leaves it recorded, and the kernel, as jbtrfs,
    // refuses a device remove while a balance is recorded.
    String[][] killed = {{"device", "remove", "2"}, {"balance", "start", "-d"}};
    Path extra = dir.resolve("dev3b.img");
    Loop.createSparse(extra, 700L << 20);
    for (String[] op : killed) {
      if (op[0].equals("device")) {
        // A third device again, so that raid1 metadata can leave device 2.
        ScrubRepairTest.Run add =
            ScrubRepairTest.jbtrfs(
                withImages(new String[] {"device", "add", extra.toString()}, devs));
        assertThat(add.rc()).as(add.all()).isZero();
        devs.add(extra);
      }
      boolean during =
          BalanceKills.killDuring(devs, mnt, withTarget(op, mnt), 100 + random.nextInt(900));
      System.err.println(
          "BalanceWorkloadTest: kill during '"
              + String.join(" ", op)
              + "': "
              + (during ? "yes" : "after it ended"));
      if (op[0].equals("device") && !BalanceKills.holdsBtrfs(devs.get(1))) devs.remove(1);
      try (RwFuseMount m = RwFuseMount.mount(devs, mnt, "noatime")) {
        verify("jbtrfs after a kill during " + String.join(" ", op), mnt, root);
      }
      assertModel(devs, root, "after a kill during " + String.join(" ", op));
    }
  }

  private static String[] withTarget(String[] op, Path target) {
    String[] argv = java.util.Arrays.copyOf(op, op.length + 1);
    argv[op.length] = target.toString();
    return argv;
  }

  /** The offline form: the first device as the image, the others with --device. */
  private static String[] withImages(String[] op, List<Path> devs) {
    List<String> argv = new ArrayList<>(List.of(op));
    argv.add(devs.get(0).toString());
    for (Path p : devs.subList(1, devs.size())) argv.addAll(List.of("--device", p.toString()));
    return argv.toArray(new String[0]);
  }

  /** btrfs check clean, and a kernel mount shows exactly the model. */
  private void assertModel(List<Path> devs, ModelDir root, String when) throws Exception {
    try (Loop loop = Loop.attach(devs)) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), when);
      try (KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("kernel"), "")) {
        verify("kernel " + when, k.path(), root);
      }
    }
  }

  private static void verify(String who, Path mnt, ModelDir root) throws Exception {
    FsxVerifier v = new FsxVerifier(mnt);
    v.verify(root);
    System.err.printf(
        "BalanceWorkloadTest: %s matches the model: %d names, %d bytes%n", who, v.files, v.bytes);
  }
}
