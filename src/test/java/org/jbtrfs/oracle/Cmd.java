package org.jbtrfs.oracle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external tool with an argument list (never a shell string built from file names, so odd
 * names need no quoting) and captures its output as bytes.
 */
final class Cmd {
  /** Output of a finished command; stdout stays raw bytes because it carries file names. */
  record Result(List<String> command, int exitCode, byte[] stdout, String stderr) {
    String out() {
      return new String(stdout, StandardCharsets.UTF_8);
    }

    Result check() {
      if (exitCode != 0) {
        throw new IllegalStateException(
            "command failed (exit " + exitCode + "): " + command + "\n" + out() + stderr);
      }
      return this;
    }
  }

  private Cmd() {}

  static Result run(List<String> command) {
    return run(command, null, 300);
  }

  /** Runs to completion (killing the process we started if it exceeds the timeout). */
  static Result run(List<String> command, Path cwd, long timeoutSeconds) {
    ProcessBuilder pb = new ProcessBuilder(command);
    if (cwd != null) {
      pb.directory(cwd.toFile());
    }
    fixEnvironment(pb.environment());
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
    // Drain both pipes concurrently so a chatty tool cannot block on a full pipe.
    CompletableFuture<byte[]> out =
        CompletableFuture.supplyAsync(() -> readAll(p.getInputStream()));
    CompletableFuture<byte[]> err =
        CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()));
    try {
      p.getOutputStream().close();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            "command timed out after " + timeoutSeconds + "s: " + command);
      }
      return new Result(
          List.copyOf(command),
          p.exitValue(),
          out.join(),
          new String(err.join(), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + command, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Tools must behave the same whatever the caller's environment: sbin on the PATH (surefire may
   * not have it), C collation and byte-transparent output, UTC so human-readable times do not
   * depend on the host.
   */
  static void fixEnvironment(Map<String, String> env) {
    env.put("PATH", env.getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/local/sbin:/usr/sbin:/sbin");
    env.put("LC_ALL", "C");
    env.put("TZ", "UTC");
  }

  private static byte[] readAll(InputStream in) {
    try (in;
        ByteArrayOutputStream buf = new ByteArrayOutputStream()) {
      in.transferTo(buf);
      return buf.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
