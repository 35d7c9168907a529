package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every one of btrfs-progs' fuzz-tests and fsck-tests images (hostile on purpose) mounted read-only
 * by a jbtrfs daemon and walked by scripts/lib/hostile_walk.py: lstat every entry, list every
 * directory, read every regular file opened O_NONBLOCK, each operation in a time limit.
 *
 * <p>Fails on anything a hostile image must never do to jbtrfs: a mount or operation that does not
 * return in time, a daemon that dies or crashes the JVM, a mount that stops answering, an exception
 * the daemon did not expect (its errno mapper logs those as SEVERE). And jbtrfs's verdict (mount
 * refused / the operations that failed, with their errno / readable) must be the kernel's, as
 * recorded by scripts/record-kernel-verdicts in kernel-verdicts.tsv, unless the disagreement is
 * documented with its reason in hostile-image-differences.tsv. Every disagreement is printed.
 */
class HostileImageWalkTest {
  /** Two daemons at a time: the machine has two cores, and each walk mostly waits on the other. */
  private static final int WORKERS = 2;

  private static final int OP_SECONDS = 10;
  private static final int WALK_SECONDS = 120;
  private static final int ANSWER_SECONDS = 10;

  @TempDir Path tmp;

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void everyImageIsWalkedWithoutHarmAndGetsTheKernelsVerdict() throws Exception {
    Environment.requireOracleHost();
    long start = System.nanoTime();
    List<HostileImages.Image> images = HostileImages.shared();
    Map<String, WalkVerdict> kernel = VerdictTables.kernel();
    Map<String, VerdictTables.Documented> documented = VerdictTables.documented();
    assertEquals(
        kernel.keySet().stream().sorted().toList(),
        images.stream().map(HostileImages.Image::name).sorted().toList(),
        "kernel-verdicts.tsv must cover exactly the tarball's images: rerun"
            + " scripts/record-kernel-verdicts");
    assertTrue(
        kernel.keySet().containsAll(documented.keySet()),
        "hostile-image-differences.tsv names images the tarball does not have");

    List<WalkReport.Outcome> outcomes = walkAll(images);

    WalkReport report = new WalkReport(kernel, documented, outcomes);
    System.out.println(report.text((System.nanoTime() - start) / 1_000_000_000));
    assertTrue(report.failures.isEmpty(), "jbtrfs was harmed:\n" + report.failures);
    assertTrue(
        report.undocumented.isEmpty(),
        "disagreements with the kernel not in hostile-image-differences.tsv:\n"
            + String.join("\n", report.undocumented));
  }

  private List<WalkReport.Outcome> walkAll(List<HostileImages.Image> images) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    try {
      List<Future<WalkReport.Outcome>> futures = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        HostileImages.Image image = images.get(i);
        Path mnt = tmp.resolve("mnt" + i);
        futures.add(pool.submit(() -> walkOne(image, mnt)));
      }
      List<WalkReport.Outcome> out = new ArrayList<>();
      for (Future<WalkReport.Outcome> f : futures) out.add(f.get());
      return out;
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(5, TimeUnit.MINUTES);
    }
  }

  /** Mounts, walks, checks the daemon and unmounts one image; never throws for jbtrfs's faults. */
  private WalkReport.Outcome walkOne(HostileImages.Image image, Path mnt) {
    long t0 = System.nanoTime();
    List<String> failures = new ArrayList<>();
    WalkVerdict verdict;
    FuseMount.Attempt attempt;
    try {
      attempt = FuseMount.attempt(List.of(image.path()), mnt, "ro", tmp);
    } catch (AssertionError e) {
      failures.add("the mount did not complete: " + e.getMessage());
      return new WalkReport.Outcome(
          image.name(), WalkVerdict.refused("no mount"), failures, millis(t0));
    }
    if (attempt.mount() == null) {
      Optional<String> why =
          attempt.refusal().lines().filter(l -> l.contains("cannot mount")).findFirst();
      if (why.isEmpty())
        failures.add(
            "the daemon exited "
                + attempt.exitCode()
                + " without a refusal:\n"
                + attempt.refusal());
      return new WalkReport.Outcome(
          image.name(), WalkVerdict.refused(why.orElse("")), failures, millis(t0));
    }
    FuseMount m = attempt.mount();
    boolean healthy = false;
    try {
      Optional<ProcessHandle> daemon = m.daemon();
      if (daemon.isEmpty()) failures.add("no daemon process after the mount");
      verdict = walk(mnt);
      if (verdict.kind() == WalkVerdict.Kind.HANG) failures.add("hang: " + verdict.details());
      if (daemon.isPresent() && !ProcessExit.isRunning(daemon.get()))
        failures.add("the daemon died");
      Cmd.Result answer;
      try {
        answer = Cmd.run(List.of("stat", "-c", "%i", mnt.toString()), null, ANSWER_SECONDS);
        if (answer.exitCode() != 0)
          failures.add("the mount stopped answering: " + answer.stderr().strip());
      } catch (IllegalStateException e) {
        failures.add("the mount stopped answering: " + e.getMessage());
      }
      daemon.ifPresent(d -> failures.addAll(daemonTrouble(m, d.pid())));
      healthy = failures.isEmpty();
      // The log lives in the test's temporary directory, which goes with the test: keep its end.
      if (!healthy) failures.add("end of the daemon's log:\n" + logTail(m));
    } finally {
      if (healthy) m.close();
      else m.abort();
    }
    return new WalkReport.Outcome(image.name(), verdict, failures, millis(t0));
  }

  private static WalkVerdict walk(Path mnt) {
    Path walker = Path.of(System.getProperty("user.dir"), "scripts", "lib", "hostile_walk.py");
    List<String> cmd =
        List.of("python3", walker.toString(), mnt.toString(), "--op-seconds", "" + OP_SECONDS);
    try {
      Cmd.Result r = Cmd.run(cmd, null, WALK_SECONDS);
      if (r.exitCode() != 0 && r.exitCode() != 3)
        return new WalkVerdict(
            WalkVerdict.Kind.HANG, -1, new java.util.TreeSet<>(), "walker failed: " + r.stderr());
      return WalkVerdict.ofWalk(r.out());
    } catch (IllegalStateException timeout) {
      return new WalkVerdict(
          WalkVerdict.Kind.HANG, -1, new java.util.TreeSet<>(), timeout.getMessage());
    }
  }

  /**
   * What the daemon's log and working directory say went wrong inside it: exceptions its errno
   * mapper did not expect (logged SEVERE by org.jbtrfs.fuse.Errno), uncaught ones, a JVM crash.
   */
  private static List<String> daemonTrouble(FuseMount m, long pid) {
    List<String> trouble = new ArrayList<>();
    Path hsErr = FuseMount.launcher().resolveSibling("hs_err_pid" + pid + ".log");
    if (Files.exists(hsErr)) trouble.add("the JVM crashed: " + hsErr);
    try {
      String log = Files.readString(m.daemonLog());
      log.lines()
          .filter(
              l ->
                  l.contains("SEVERE org.jbtrfs.fuse.Errno")
                      || l.startsWith("Exception in thread")
                      || l.contains("A fatal error has been detected"))
          .limit(5)
          .forEach(l -> trouble.add("daemon log: " + l));
    } catch (IOException e) {
      trouble.add("cannot read the daemon log: " + e);
    }
    return trouble;
  }

  private static String logTail(FuseMount m) {
    try {
      List<String> lines = Files.readAllLines(m.daemonLog());
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException | AssertionError e) {
      return "(no daemon log: " + e.getMessage() + ")";
    }
  }

  private static long millis(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }
}
