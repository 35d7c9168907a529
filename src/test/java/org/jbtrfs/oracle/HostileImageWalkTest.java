package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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

  /** What happened to one image: jbtrfs's verdict, and what it must never do that it did. */
  private record Outcome(String image, WalkVerdict verdict, List<String> failures, long millis) {}

  @Test
  @Timeout(value = 20, unit = TimeUnit.MINUTES)
  void everyImageIsWalkedWithoutHarmAndGetsTheKernelsVerdict() throws Exception {
    Environment.requireOracleHost();
    long start = System.nanoTime();
    List<HostileImages.Image> images = HostileImages.unpack(tmp.resolve("images"));
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

    List<Outcome> outcomes = walkAll(images);

    Report report = new Report(kernel, documented, outcomes);
    System.out.println(report.text((System.nanoTime() - start) / 1_000_000_000));
    assertTrue(report.failures.isEmpty(), "jbtrfs was harmed:\n" + report.failures);
    assertTrue(
        report.undocumented.isEmpty(),
        "disagreements with the kernel not in hostile-image-differences.tsv:\n"
            + String.join("\n", report.undocumented));
  }

  private List<Outcome> walkAll(List<HostileImages.Image> images) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (int i = 0; i < images.size(); i++) {
        HostileImages.Image image = images.get(i);
        Path mnt = tmp.resolve("mnt" + i);
        futures.add(pool.submit(() -> walkOne(image, mnt)));
      }
      List<Outcome> out = new ArrayList<>();
      for (Future<Outcome> f : futures) out.add(f.get());
      return out;
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(5, TimeUnit.MINUTES);
    }
  }

  /** Mounts, walks, checks the daemon and unmounts one image; never throws for jbtrfs's faults. */
  private Outcome walkOne(HostileImages.Image image, Path mnt) {
    long t0 = System.nanoTime();
    List<String> failures = new ArrayList<>();
    WalkVerdict verdict;
    FuseMount.Attempt attempt;
    try {
      attempt = FuseMount.attempt(List.of(image.path()), mnt, "ro");
    } catch (AssertionError e) {
      failures.add("the mount did not complete: " + e.getMessage());
      return new Outcome(image.name(), WalkVerdict.refused("no mount"), failures, millis(t0));
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
      return new Outcome(image.name(), WalkVerdict.refused(why.orElse("")), failures, millis(t0));
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
    } finally {
      if (healthy) {
        m.close();
        deleteQuietly(m);
      } else {
        m.abort();
      }
    }
    return new Outcome(image.name(), verdict, failures, millis(t0));
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

  /** A healthy walk's daemon log says nothing worth keeping; 120 of them a run would pile up. */
  private static void deleteQuietly(FuseMount m) {
    try {
      Files.deleteIfExists(m.daemonLog());
    } catch (IOException | AssertionError e) {
      System.err.println("warning: daemon log left behind: " + e.getMessage());
    }
  }

  private static long millis(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  /** The comparison with the kernel's table, and the text printed for people. */
  private static final class Report {
    final List<String> failures = new ArrayList<>();
    final List<String> undocumented = new ArrayList<>();
    final List<String> documentedSeen = new ArrayList<>();
    final List<String> stale = new ArrayList<>();
    final Map<String, Integer> categories = new TreeMap<>();
    final Map<String, Integer> kernelKinds = new TreeMap<>();
    final Map<String, Integer> jbtrfsKinds = new TreeMap<>();
    int agreements;
    final List<Outcome> outcomes;

    Report(
        Map<String, WalkVerdict> kernel,
        Map<String, VerdictTables.Documented> documented,
        List<Outcome> outcomes) {
      this.outcomes = outcomes;
      for (Outcome o : outcomes) {
        o.failures().forEach(f -> failures.add(o.image() + ": " + f));
        WalkVerdict k = kernel.get(o.image());
        kernelKinds.merge(k.kind().word, 1, Integer::sum);
        jbtrfsKinds.merge(o.verdict().kind().word, 1, Integer::sum);
        if (k.kind() == WalkVerdict.Kind.KERNEL_OOPS || k.kind() == WalkVerdict.Kind.HANG) {
          // The kernel has no verdict to hold jbtrfs to; surviving the image is the test.
          documentedSeen.add(
              o.image() + ": kernel " + k.kind().word + "; jbtrfs " + o.verdict().summary());
          continue;
        }
        Optional<String> d = k.disagreement(o.verdict());
        VerdictTables.Documented doc = documented.get(o.image());
        if (d.isEmpty()) {
          agreements++;
          if (doc != null) stale.add(o.image());
          continue;
        }
        String category =
            k.kind() == o.verdict().kind()
                ? "both " + k.kind().word + ", other details"
                : "kernel " + k.kind().word + ", jbtrfs " + o.verdict().kind().word;
        categories.merge(category, 1, Integer::sum);
        String line = o.image() + ": " + d.get();
        if (doc != null && doc.jbtrfs() == o.verdict().kind())
          documentedSeen.add(line + "\n    documented: " + doc.reason());
        else undocumented.add(line);
      }
    }

    String text(long seconds) {
      StringBuilder b = new StringBuilder();
      b.append("hostile-image walk: ")
          .append(outcomes.size())
          .append(" images in ")
          .append(seconds)
          .append(" s\n");
      b.append("  kernel verdicts: ").append(kernelKinds).append('\n');
      b.append("  jbtrfs verdicts: ").append(jbtrfsKinds).append('\n');
      b.append("  agreements: ")
          .append(agreements)
          .append(", disagreements: ")
          .append(categories)
          .append('\n');
      b.append("undocumented disagreements (").append(undocumented.size()).append("):\n");
      undocumented.forEach(l -> b.append("  ").append(l).append('\n'));
      b.append("documented disagreements (").append(documentedSeen.size()).append("):\n");
      documentedSeen.forEach(l -> b.append("  ").append(l).append('\n'));
      if (!stale.isEmpty())
        b.append("documented but now agreeing, remove from hostile-image-differences.tsv: ")
            .append(stale)
            .append('\n');
      b.append("failures (").append(failures.size()).append("):\n");
      failures.forEach(l -> b.append("  ").append(l).append('\n'));
      b.append("slowest images: ")
          .append(
              outcomes.stream()
                  .sorted(Comparator.comparingLong(Outcome::millis).reversed())
                  .limit(5)
                  .map(o -> o.image() + " " + o.millis() + " ms")
                  .collect(Collectors.joining(", ")))
          .append('\n');
      return b.toString();
    }
  }
}
