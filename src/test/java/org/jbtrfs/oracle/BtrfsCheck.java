package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.List;

/**
 * Runs {@code btrfs check --readonly} on an unmounted image and fails the test unless it is clean.
 * The exit code alone is not enough: some checks only print (e.g. csum or free space mismatches in
 * older progs), so the output is scanned for the words such findings use.
 */
final class BtrfsCheck {
  private static final List<String> BAD_WORDS =
      List.of("ERROR", "error", "wrong", "mismatch", "checksum verify failed");

  private BtrfsCheck() {}

  static void assertClean(Path image) {
    assertClean(image, "");
  }

  static void assertClean(Path image, String when) {
    output(image, when);
  }

  /** Asserts the image clean and returns what btrfs check printed (its summary included). */
  static String output(Path image) {
    return output(image, "");
  }

  private static String output(Path image, String when) {
    Cmd.Result r = Cmd.run(List.of("btrfs", "check", "--readonly", image.toString()), null, 600);
    String all = r.out() + r.stderr();
    // "no error found" is the one benign line containing "error". So is a failed scan of some
    // other block device (another job's loop device going away on a shared machine): check scans
    // every device for members of the filesystem, and a device it cannot read is not one of ours.
    String scanned =
        all.replace("no error found", "").replaceAll("(?m)^ERROR: cannot scan /dev/\\S+: .*$", "");
    for (String w : BAD_WORDS) {
      if (r.exitCode() != 0 || scanned.contains(w)) {
        fail(
            "btrfs check "
                + when
                + " is not clean (exit "
                + r.exitCode()
                + ", matched '"
                + w
                + "'):\n"
                + all);
      }
    }
    return all;
  }
}
