package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pjdfstest (every one of its 8,798 POSIX checks: permissions for other uids, set-id bits, ctime
 * updates, errno of every refusal) through a default root mount of jbtrfs and through the kernel's
 * btrfs, both fresh, in the same run, by scripts/pjdfstest (built from ../shared/thirdparty with
 * its btrfs expectations). Every check must have the kernel's outcome: a check may fail on jbtrfs
 * only where it fails on the kernel too (today rename/24.t's directory link counts, chown/00.t's
 * set-id bits of directories and unlink/08.t, all marked TODO by pjdfstest for Linux or btrfs).
 */
class PjdfstestTest {
  private static final Pattern JBTRFS_ROW =
      Pattern.compile(
          "\\| jbtrfs \\| (\\d+) \\| (\\d+) \\| (\\d+) \\| (\\d+) \\| (\\d+) \\| (\\d+) \\|");

  @TempDir Path tmp;

  @Test
  void everyCheckHasTheKernelsOutcome() throws Exception {
    Environment.requireOracleHost();
    Path results = tmp.resolve("pjdfstest.md");
    Cmd.Result r =
        Cmd.run(
            List.of(
                Path.of(System.getProperty("user.dir"), "scripts", "pjdfstest").toString(),
                "--results",
                results.toString()),
            null,
            3600);
    String table = Files.exists(results) ? Files.readString(results) : "(no results file)";
    System.out.println(table);
    assertEquals(0, r.exitCode(), "scripts/pjdfstest:\n" + r.stderr() + "\n" + table);
    Matcher m = JBTRFS_ROW.matcher(table);
    assertTrue(m.find(), "no jbtrfs row in:\n" + table);
    // The whole suite ran: every file of the snapshot, every check of every file.
    assertEquals(238, Integer.parseInt(m.group(1)), "test files run on jbtrfs");
    assertEquals(8798, Integer.parseInt(m.group(2)), "checks run on jbtrfs");
    assertEquals(0, Integer.parseInt(m.group(6)), "test files that did not finish on jbtrfs");
    assertTrue(table.contains("image afterwards: clean"), "btrfs check:\n" + table);
  }
}
