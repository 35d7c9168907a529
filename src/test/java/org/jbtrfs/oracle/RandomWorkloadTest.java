package org.jbtrfs.oracle;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fsstress/fsx-style random workload on a read-write jbtrfs mount of a fresh mkfs.btrfs image:
 * several workers (own trees plus a shared directory for cross-worker renames and links) check
 * every read against an in-memory model. Afterwards btrfs check must be clean and both the kernel
 * and a fresh jbtrfs mount must show exactly the model's final state.
 *
 * <p>Tunable with -Dfsx.threads, -Dfsx.ops (total), -Dfsx.seed (printed, for replays).
 */
class RandomWorkloadTest {
  @TempDir Path dir;

  @Test
  void randomOperationsMatchTheModelAndLeaveACleanFilesystem() throws Exception {
    Environment.requireOracleHost();
    int threads = Integer.getInteger("fsx.threads", 4);
    long total = Long.getLong("fsx.ops", 100_000);
    long seed = Long.getLong("fsx.seed", System.nanoTime());
    System.err.println(
        "RandomWorkloadTest: seed " + seed + ", " + threads + " threads, " + total + " ops");
    Path image = dir.resolve("fsx.img");
    Loop.createSparse(image, 1L << 30);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", image.toString())).check();
    Path mnt = dir.resolve("mnt");
    Files.createDirectories(mnt);
    ModelDir root = new ModelDir(null, "");

    RwFuseMount m = RwFuseMount.mount(image, mnt, "");
    try {
      FsxRun run = FsxRun.start(mnt, root, "", threads, seed, total / threads, null);
      double secs = run.join(900);
      run.rethrow();
      System.err.printf(
          "RandomWorkloadTest: %d ops in %.1f s = %.0f ops/s; %s%n",
          run.opsDone(), secs, run.opsDone() / secs, run.ctx.summary());
      verify("jbtrfs (same mount)", mnt, root);
    } finally {
      m.close();
    }

    BtrfsCheck.assertClean(image);
    Path kmnt = dir.resolve("kernel");
    try (Loop loop = Loop.attach(List.of(image));
        KernelMount k = KernelMount.mount(loop.devices(), kmnt, "")) {
      verify("kernel", k.path(), root);
    }
    try (RwFuseMount ro = RwFuseMount.mount(image, mnt, "ro")) {
      verify("jbtrfs (remounted ro)", mnt, root);
    }
  }

  private static void verify(String who, Path mnt, ModelDir root) throws Exception {
    long t0 = System.nanoTime();
    FsxVerifier v = new FsxVerifier(mnt);
    v.verify(root);
    System.err.printf(
        "RandomWorkloadTest: %s matches the model: %d names, %d bytes (%.1f s)%n",
        who, v.files, v.bytes, (System.nanoTime() - t0) / 1e9);
  }
}
