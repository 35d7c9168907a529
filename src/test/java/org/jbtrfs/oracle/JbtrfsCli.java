package org.jbtrfs.oracle;

import java.util.Arrays;
import org.jbtrfs.cli.Main;
import picocli.CommandLine;

/**
 * Runs jbtrfs CLI commands (put, rm, mv, truncate, setfattr, ...) in this JVM: the same command
 * classes scripts/jbtrfs runs, without a JVM start per command. Failures rethrow, so the test
 * report carries the engine's stack trace rather than a one-line message.
 */
final class JbtrfsCli {
  private JbtrfsCli() {}

  static void run(String... args) {
    Exception[] failure = new Exception[1];
    CommandLine cl =
        new CommandLine(new Main())
            .setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                  failure[0] = ex;
                  return 1;
                });
    int rc = cl.execute(args);
    if (failure[0] != null) {
      throw new IllegalStateException(
          "jbtrfs " + Arrays.toString(args) + " failed: " + failure[0].getMessage(), failure[0]);
    }
    if (rc != 0)
      throw new IllegalStateException("jbtrfs " + Arrays.toString(args) + " exited " + rc);
  }
}
