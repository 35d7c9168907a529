package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Runs {@code btrfs check --readonly} and fails on a non-zero exit or any complaint. */
final class BtrfsCheck {
  private static final List<String> BAD = List.of("error", "wrong", "mismatch", "checksum verify failed");

  private BtrfsCheck() {}

  static void assertClean(Path image) {
    Cmd.Result r = Cmd.run(List.of("btrfs", "check", "--readonly", image.toString()), null, 600);
    String all = r.out() + r.stderr();
    for (String line : all.split("\n")) {
      // The all-clear line itself says "no error found".
      String l = line.toLowerCase(Locale.ROOT).replace("no error found", "");
      if (BAD.stream().anyMatch(l::contains)) fail("btrfs check complains: " + line + "\n" + all);
    }
    if (r.exitCode() != 0) fail("btrfs check exited " + r.exitCode() + "\n" + all);
    System.err.println("btrfs check --readonly " + image.getFileName() + ": clean");
  }
}
