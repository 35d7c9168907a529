package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same POSIX scenarios (src/test/resources/posix/scenarios.py) against a kernel btrfs mount and
 * a read-write jbtrfs mount of two identical fresh images: every step's outcome, errno included,
 * and every stat line must agree. Afterwards the jbtrfs image must pass btrfs check.
 *
 * <p>Both sides use the default atime policy (relatime), so atime updates by reads are compared
 * too. A step that differs for reasons that lie in the kernel's FUSE client rather than in jbtrfs
 * is listed in {@link #FUSE_LIMITS} with the answer jbtrfs is known to give, and any other answer
 * there still fails.
 */
class PosixAgreementTest {
  private static final long IMAGE_BYTES = 1L << 30;

  /** "scenario step" -> jbtrfs's known answers, with the reason it cannot match. */
  private static final Map<String, List<String>> FUSE_LIMITS =
      Map.of(
          // The kernel answers a read at end of file from its cached size without asking the
          // daemon, so reading an empty file cannot update its atime through FUSE.
          "create stat:trunc-of-empty",
          List.of("size=0 nlink=1 mode=0o100640 uid=0 gid=0 a== m=+ c=+"));

  @TempDir Path tmp;

  @Test
  void kernelAndJbtrfsAgreeOnPosixScenarios() throws Exception {
    Environment.requireOracleHost();
    Path script = script();
    Path kernelImg = tmp.resolve("kernel.img");
    Path fuseImg = tmp.resolve("jbtrfs.img");
    for (Path img : List.of(kernelImg, fuseImg)) {
      Loop.createSparse(img, IMAGE_BYTES);
      Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    }

    List<String> kernel;
    try (Loop loop = Loop.attach(List.of(kernelImg));
        KernelMount m = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      kernel = runScenarios(script, m.path());
    }
    List<String> jbtrfs;
    // close() waits for the daemon to exit, i.e. for its final commit, before btrfs check.
    try (FuseMount m = FuseMount.mountReadWrite(List.of(fuseImg), tmp.resolve("jmnt"), "")) {
      jbtrfs = runScenarios(script, m.path());
    }

    compare(kernel, jbtrfs);
    Cmd.Result check =
        Cmd.run(List.of("btrfs", "check", "--readonly", fuseImg.toString()), null, 300);
    assertEquals(
        0, check.exitCode(), "btrfs check of the jbtrfs image:\n" + check.out() + check.stderr());
  }

  private static Path script() throws URISyntaxException {
    var url = PosixAgreementTest.class.getResource("/posix/scenarios.py");
    if (url == null) throw new AssertionError("posix/scenarios.py missing from the test resources");
    return Path.of(url.toURI());
  }

  private static List<String> runScenarios(Path script, Path mnt) {
    Cmd.Result r = Cmd.run(List.of("python3", script.toString(), mnt.toString()), null, 600);
    if (r.exitCode() != 0) {
      throw new AssertionError(
          "scenarios.py failed on "
              + mnt
              + " (exit "
              + r.exitCode()
              + ")\n"
              + r.out()
              + r.stderr());
    }
    List<String> lines = new ArrayList<>();
    for (String l : r.out().split("\n", -1)) {
      if (!l.isEmpty() && !l.startsWith("#")) lines.add(l);
    }
    return lines;
  }

  /** Line by line; known FUSE limits must give exactly their known answer. */
  private static void compare(List<String> kernel, List<String> jbtrfs) throws IOException {
    List<String> problems = new ArrayList<>();
    int known = 0;
    for (int i = 0; i < Math.max(kernel.size(), jbtrfs.size()); i++) {
      String k = i < kernel.size() ? kernel.get(i) : "(missing)";
      String j = i < jbtrfs.size() ? jbtrfs.get(i) : "(missing)";
      if (k.equals(j)) continue;
      String step = k.contains(" -> ") ? k.substring(0, k.indexOf(" -> ")) : k;
      List<String> expected = FUSE_LIMITS.getOrDefault(step, List.of());
      if (expected.stream().anyMatch(answer -> j.equals(step + " -> " + answer))) {
        known++;
        System.err.println(
            "known FUSE difference: " + step + "\n  kernel: " + k + "\n  jbtrfs: " + j);
        continue;
      }
      problems.add("line " + (i + 1) + "\n  kernel: " + k + "\n  jbtrfs: " + j);
    }
    System.err.println(
        "posix scenarios: "
            + kernel.size()
            + " steps, "
            + known
            + " known FUSE differences, "
            + problems.size()
            + " disagreements");
    if (!problems.isEmpty()) {
      fail(
          problems.size()
              + " disagreements between kernel btrfs and jbtrfs:\n"
              + String.join("\n", problems)
              + "\n\n--- kernel output ---\n"
              + String.join("\n", kernel)
              + "\n\n--- jbtrfs output ---\n"
              + String.join("\n", jbtrfs));
    }
  }
}
