package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs one scenario script (a test resource printing "scenario step -> outcome" lines) against a
 * kernel btrfs mount and a read-write jbtrfs mount of two identical fresh images, compares the
 * outputs line by line, and runs btrfs check on the jbtrfs image. A step that differs for reasons
 * that lie in the kernel's FUSE client is listed in the known limits with the answer jbtrfs is
 * known to give; any other answer there still fails.
 */
final class ScriptAgreement {
  private static final long IMAGE_BYTES = 1L << 30;

  private ScriptAgreement() {}

  /**
   * @param resource the script, e.g. "/posix/scenarios.py"
   * @param fuseLimits "scenario step" to jbtrfs's known answers
   * @param fuseOptions -o options of the jbtrfs mount ("" for none)
   * @return the two images, unmounted: the kernel's and jbtrfs's
   */
  static Images check(
      Path tmp, String resource, Map<String, List<String>> fuseLimits, String fuseOptions)
      throws Exception {
    Environment.requireOracleHost();
    Path script = script(resource);
    Images fresh = freshImages(tmp);
    Path kernelImg = fresh.kernel();
    Path fuseImg = fresh.jbtrfs();
    List<String> kernel;
    try (Loop loop = Loop.attach(List.of(kernelImg));
        KernelMount m = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      kernel = run(script, m.path());
    }
    List<String> jbtrfs;
    // close() waits for the daemon to exit, i.e. for its final commit, before btrfs check.
    try (FuseMount m =
        FuseMount.mountReadWrite(List.of(fuseImg), tmp.resolve("jmnt"), fuseOptions)) {
      jbtrfs = run(script, m.path());
    }
    compare(resource, kernel, jbtrfs, fuseLimits);
    Cmd.Result check =
        Cmd.run(List.of("btrfs", "check", "--readonly", fuseImg.toString()), null, 300);
    assertEquals(
        0, check.exitCode(), "btrfs check of the jbtrfs image:\n" + check.out() + check.stderr());
    return new Images(kernelImg, fuseImg);
  }

  record Images(Path kernel, Path jbtrfs) {}

  /**
   * Two identical fresh images in {@code tmp}, which is opened to every user: steps run as other
   * users need a path to the mountpoints (JUnit makes its directory 0700).
   */
  static Images freshImages(Path tmp) throws java.io.IOException {
    java.nio.file.Files.setPosixFilePermissions(
        tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Path kernelImg = tmp.resolve("kernel.img");
    Path fuseImg = tmp.resolve("jbtrfs.img");
    for (Path img : List.of(kernelImg, fuseImg)) {
      Loop.createSparse(img, IMAGE_BYTES);
      Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    }
    return new Images(kernelImg, fuseImg);
  }

  static Path script(String resource) throws URISyntaxException {
    var url = ScriptAgreement.class.getResource(resource);
    if (url == null) throw new AssertionError(resource + " missing from the test resources");
    return Path.of(url.toURI());
  }

  private static List<String> run(Path script, Path mnt) {
    Cmd.Result r = Cmd.run(List.of("python3", script.toString(), mnt.toString()), null, 600);
    if (r.exitCode() != 0) {
      throw new AssertionError(
          script.getFileName()
              + " failed on "
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

  static void compare(
      String resource,
      List<String> kernel,
      List<String> jbtrfs,
      Map<String, List<String>> fuseLimits) {
    List<String> problems = new ArrayList<>();
    int known = 0;
    for (int i = 0; i < Math.max(kernel.size(), jbtrfs.size()); i++) {
      String k = i < kernel.size() ? kernel.get(i) : "(missing)";
      String j = i < jbtrfs.size() ? jbtrfs.get(i) : "(missing)";
      if (k.equals(j)) continue;
      String step = k.contains(" -> ") ? k.substring(0, k.indexOf(" -> ")) : k;
      List<String> expected = fuseLimits.getOrDefault(step, List.of());
      if (expected.stream().anyMatch(answer -> j.equals(step + " -> " + answer))) {
        known++;
        System.err.println(
            "known FUSE difference: " + step + "\n  kernel: " + k + "\n  jbtrfs: " + j);
        continue;
      }
      problems.add("line " + (i + 1) + "\n  kernel: " + k + "\n  jbtrfs: " + j);
    }
    System.err.println(
        resource
            + ": "
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
