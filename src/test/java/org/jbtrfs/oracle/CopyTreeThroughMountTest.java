package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real tree copied into a read-write mount with `cp -a` and taken back out with `tar` comes back
 * identical (names, modes, owners, mtimes, symlinks, hard links, bytes), and the image passes
 * `btrfs check` and reads the same through the kernel.
 */
class CopyTreeThroughMountTest {
  private static final Path SOURCE = Path.of("/usr/share/doc");

  @TempDir Path tmp;

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  @Test
  void cpInTarOutIsIdentical() throws Exception {
    Path img = tmp.resolve("cp.img");
    Loop.createSparse(img, 2L << 30);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    Path mnt = tmp.resolve("mnt");
    Path out = tmp.resolve("out");
    Files.createDirectories(mnt);
    Files.createDirectories(out);
    try (RwFuseMount m = RwFuseMount.mount(img, mnt, "")) {
      Cmd.run(List.of("cp", "-a", SOURCE.toString(), mnt.resolve("doc").toString()), tmp, 900)
          .check();
      Cmd.run(
              List.of(
                  "bash",
                  "-c",
                  "tar --format=posix -C \"$1\" -cf - doc | tar -C \"$2\" -xpf -",
                  "_",
                  mnt.toString(),
                  out.toString()),
              tmp,
              900)
          .check();
    }
    // diff -r compares contents and symlink targets; the manifest adds modes, owners, mtimes and
    // link counts (sizes follow from the hashes; directory sizes are the local filesystem's).
    Cmd.run(
            List.of(
                "diff", "-r", "--no-dereference", SOURCE.toString(), out.resolve("doc").toString()),
            tmp,
            600)
        .check();
    List<String> diffs =
        Manifest.diff(
            manifestOf(SOURCE),
            manifestOf(out.resolve("doc")),
            java.util.Set.of("ino", "atime", "ctime", "blocks", "size"));
    assertThat(diffs).as("tar round trip vs the source").isEmpty();
    BtrfsCheck.assertClean(img, "after cp -a and tar");
    Path kmnt = tmp.resolve("k");
    Files.createDirectories(kmnt);
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), kmnt, "")) {
      Cmd.run(
              List.of(
                  "diff",
                  "-r",
                  "--no-dereference",
                  SOURCE.toString(),
                  kmnt.resolve("doc").toString()),
              tmp,
              600)
          .check();
    }
  }

  private static Manifest manifestOf(Path dir) {
    return ManifestReader.read(dir);
  }
}
