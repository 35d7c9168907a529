package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The random workload, cut short by {@code kill -9} of the jbtrfs daemon at random moments, then a
 * lazy unmount and a fresh mount, for several rounds (each round works in new directories, since
 * what the killed round left is unknown). Every file fsynced and untouched since must come back
 * with exactly its fsynced bytes after every remount; at the end btrfs check must be clean and the
 * kernel must mount the image and agree.
 *
 * <p>Tunable with -Dfsx.threads, -Dfsx.crash.rounds, -Dfsx.seed.
 */
class CrashWorkloadTest {
  @TempDir Path dir;

  @Test
  void fsyncedFilesSurviveKillNine() throws Exception {
    Environment.requireOracleHost();
    int threads = Integer.getInteger("fsx.threads", 4);
    int rounds = Integer.getInteger("fsx.crash.rounds", 5);
    long seed = Long.getLong("fsx.seed", System.nanoTime());
    Random rnd = new Random(seed);
    System.err.println(
        "CrashWorkloadTest: seed " + seed + ", " + threads + " threads, " + rounds + " kills");
    Path image = dir.resolve("crash.img");
    Loop.createSparse(image, 1L << 30);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", image.toString())).check();
    Path mnt = dir.resolve("mnt");
    Files.createDirectories(mnt);
    ModelDir root = new ModelDir(null, "");
    DurableLog durable = new DurableLog();
    long totalOps = 0;
    long t0 = System.nanoTime();

    for (int round = 0; round <= rounds; round++) {
      try (RwFuseMount m = RwFuseMount.mount(image, mnt, "")) {
        int checked = checkDurable("jbtrfs after " + round + " kill(s)", mnt, durable);
        FsxRun run =
            FsxRun.start(mnt, root, "r" + round, threads, seed + round, Long.MAX_VALUE, durable);
        // Up to 8 s: long enough for periodic commits (every 5 s) to land between kills.
        Thread.sleep(500 + rnd.nextInt(7500));
        if (round < rounds) {
          run.ctx.killed = true;
          m.kill9();
        } else {
          run.ctx.stop = true;
        }
        run.join(300);
        run.rethrow();
        totalOps += run.opsDone();
        System.err.printf(
            "CrashWorkloadTest: round %d: %d fsynced files intact, %d ops, %s, %s%n",
            round,
            checked,
            run.opsDone(),
            round < rounds ? "killed pid " + m.pid : "clean unmount",
            run.ctx.summary());
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.err.printf(
        "CrashWorkloadTest: %d ops in %.1f s with %d kills = %.0f ops/s%n",
        totalOps, secs, rounds, totalOps / secs);

    BtrfsCheck.assertClean(image);
    Path kmnt = dir.resolve("kernel");
    try (Loop loop = Loop.attach(List.of(image));
        KernelMount k = KernelMount.mount(loop.devices(), kmnt, "")) {
      checkDurable("kernel", k.path(), durable);
      readEverything(k.path());
    }
  }

  /** Every still-valid fsynced file must be at its path with exactly its fsynced bytes. */
  private static int checkDurable(String who, Path mnt, DurableLog durable) throws IOException {
    List<DurableLog.Rec> recs = durable.valid();
    for (DurableLog.Rec r : recs) {
      Path p = mnt.resolve(r.path());
      if (!Files.exists(p))
        throw new AssertionError(who + ": fsynced file " + r.path() + " is missing");
      FsxDataOps.compare(p, 0, r.bytes(), Files.readAllBytes(p), who + ": fsynced file");
    }
    return recs.size();
  }

  /** Whatever survived the kills must at least be readable (no EIO, no checksum failures). */
  private static void readEverything(Path mnt) throws IOException {
    long[] n = new long[2];
    try (Stream<Path> s = Files.walk(mnt)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        if (Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          n[0]++;
          n[1] += Files.readAllBytes(p).length;
        }
      }
    }
    System.err.printf("CrashWorkloadTest: kernel read all %d files, %d bytes%n", n[0], n[1]);
  }
}
