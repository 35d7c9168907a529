package org.jbtrfs.oracle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts workers, each in a fresh home directory under the model root, and joins them. */
final class FsxRun {
  final FsxContext ctx;
  private final List<Thread> threads = new ArrayList<>();
  private final List<FsxWorker> workers = new ArrayList<>();
  private long startedNanos;

  private FsxRun(FsxContext ctx) {
    this.ctx = ctx;
  }

  /**
   * Creates {@code prefix}s (the shared directory) and {@code prefix}t0.. (homes) on the mount and
   * in the model, then starts one worker per home with seeds derived from {@code seed}.
   */
  static FsxRun start(
      Path mnt,
      ModelDir root,
      String prefix,
      int threads,
      long seed,
      long opsPerThread,
      DurableLog durable)
      throws IOException {
    ModelDir shared = mkdir(mnt, root, prefix + "s");
    FsxRun run = new FsxRun(new FsxContext(mnt, shared, durable));
    for (int i = 0; i < threads; i++) {
      ModelDir home = mkdir(mnt, root, prefix + "t" + i);
      FsxWorker w = new FsxWorker(run.ctx, home, seed * 31 + i, opsPerThread);
      Thread t = new Thread(w, "fsx-" + prefix + "w" + i);
      run.workers.add(w);
      run.threads.add(t);
    }
    run.startedNanos = System.nanoTime();
    run.threads.forEach(Thread::start);
    return run;
  }

  private static ModelDir mkdir(Path mnt, ModelDir root, String name) throws IOException {
    ModelDir d = new ModelDir(root, name);
    Files.createDirectory(d.on(mnt));
    root.entries.put(name, d);
    return d;
  }

  /** Waits for every worker; on timeout stops them and fails. Returns the elapsed seconds. */
  double join(long timeoutSeconds) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    for (Thread t : threads) {
      t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      if (t.isAlive()) {
        ctx.stop = true;
        for (Thread u : threads) u.join(60_000);
        throw new AssertionError(
            "workload did not finish within " + timeoutSeconds + " s: " + ctx.summary());
      }
    }
    return (System.nanoTime() - startedNanos) / 1e9;
  }

  long opsDone() {
    return workers.stream().mapToLong(w -> w.opsDone).sum();
  }

  /** Throws the first worker failure, if any. */
  void rethrow() {
    Throwable t = ctx.failure.get();
    if (t instanceof AssertionError a) throw a;
    if (t != null) throw new AssertionError(t);
  }
}
