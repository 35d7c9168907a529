package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks the harness against the kernel alone: two read-only mounts of one image give equal
 * manifests, and after a change made through a read-write mount the diff names exactly the things
 * that changed. Guards against a manifest that silently records too little to ever fail.
 */
class ManifestKernelSelfCheckTest {
  @BeforeAll
  static void environment() {
    Environment.requireOracleHost();
  }

  @Test
  void kernelAgreesWithItselfAndChangesAreFound(@TempDir Path dir) {
    List<Path> images = ImageSet.build("node-16k", dir.resolve("img"));
    try (Loop loop = Loop.attach(images)) {
      Manifest first = read(loop, dir);
      Manifest second = read(loop, dir);
      assertThat(first.errors()).isEmpty();
      assertThat(first.entries()).hasSizeGreaterThan(3400);
      assertThat(Manifest.diff(first, second, Set.of())).isEmpty();

      try (KernelMount rw = KernelMount.mountReadWrite(loop.devices(), dir.resolve("rw"))) {
        Path m = rw.path();
        sh(m, "printf x >> files/inline-100");
        sh(m, "setfattr -n user.small -v changed xattrs/file");
        sh(m, "chmod 0600 modes/mode-0644");
        sh(m, "touch -m -d '2021-03-04 05:06:07.123456780 UTC' times/nanos");
        sh(m, "rm 'names/Grüße-日本語-🙂'");
        sh(m, "ln -sf elsewhere symlinks/dangling");
        sh(m, "sync");
      }
      Manifest after = read(loop, dir);
      List<String> diffs = Manifest.diff(first, after, Set.of());
      assertThat(diffs)
          .contains(
              "\"files/inline-100\": size expected \"100\" but was \"101\"",
              "\"names/Grüße-日本語-🙂\": missing (expected file)",
              "\"times/nanos\": mtime expected \"1614834367.123456789\" but was"
                  + " \"1614834367.123456780\"",
              "\"symlinks/dangling\": target expected \"does/not/exist\" but was \"elsewhere\"");
      assertThat(diffs).anyMatch(d -> d.startsWith("\"files/inline-100\": sha256 expected"));
      assertThat(diffs)
          .anyMatch(d -> d.startsWith("\"xattrs/file\": xattr:user.small expected \"68656c6c6f\""));
      assertThat(diffs)
          .anyMatch(
              d -> d.startsWith("\"modes/mode-0644\": mode expected \"644\" but was \"600\""));
      // Nothing outside the touched entries and their parent directories changed.
      assertThat(diffs)
          .allMatch(
              d -> d.matches("\"(\\.|files|names|symlinks|times|modes|xattrs)(/[^\"]*)?\": .*"),
              "only touched paths");
    }
  }

  private static Manifest read(Loop loop, Path dir) {
    try (KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("ro"), "")) {
      return ManifestReader.read(k.path());
    }
  }

  private static void sh(Path cwd, String script) {
    Cmd.run(List.of("bash", "-c", script), cwd, 60).check();
  }
}
