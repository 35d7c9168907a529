package org.jbtrfs.volume;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs external tools for the oracle tests; a non-zero exit becomes an IOException. */
final class Shell {
  private Shell() {}

  static String run(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).start();
    // Drain both pipes concurrently: dump-tree output can exceed the pipe buffer.
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      if (!p.waitFor(180, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("timed out: " + cmd);
      }
      if (p.exitValue() != 0) {
        throw new IOException(cmd + " exited " + p.exitValue() + ": " + err.join());
      }
      return out.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + cmd, e);
    }
  }

  static String run(String... cmd) throws IOException {
    return run(List.of(cmd));
  }

  /** Best-effort command for cleanup paths: failures are reported, never thrown. */
  static void quietly(String... cmd) {
    try {
      run(cmd);
    } catch (IOException e) {
      System.err.println("cleanup failed: " + e.getMessage());
    }
  }

  /** Finds a tool in the usual sbin/bin directories, since PATH may lack sbin. */
  static String which(String tool) {
    for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin")) {
      Path p = Path.of(dir, tool);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (in) {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            in.transferTo(buf);
            return buf.toString(StandardCharsets.UTF_8);
          } catch (IOException e) {
            return "<unreadable: " + e + ">";
          }
        });
  }
}
