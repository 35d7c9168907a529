package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two mount behaviours judged by the kernel: a log tree left by a crash is refused by a read-only
 * mount unless nologreplay (which ignores it) and replayed by a read-write mount (LogReplayTest
 * compares that replay with the kernel's), and data written with compress= is compressed the way
 * the kernel reads it back.
 */
class LogTreeAndCompressionTest {
  @TempDir Path tmp;

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  /** A copy of a mounted image taken after an fsync but before the next commit holds a log tree. */
  @Test
  void logTreeIsRefusedReadOnlyIgnoredWithNologreplayAndReplayedReadWrite() throws Exception {
    Path img = tmp.resolve("log.img");
    Loop.createSparse(img, 256L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString()));
    Path crashed = tmp.resolve("crashed.img");
    Path kmnt = tmp.resolve("k");
    Files.createDirectories(kmnt);
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt, "commit=300")) {
      Files.writeString(kmnt.resolve("committed.txt"), "before\n");
      Cmd.run(List.of("sync"));
      Cmd.run(
          List.of(
              "dd",
              "if=/dev/urandom",
              "of=" + kmnt.resolve("fsynced.bin"),
              "bs=64k",
              "count=4",
              "conv=fsync",
              "status=none"));
      // The image as a crash right now would leave it: the fsync went to the log tree only.
      Cmd.run(List.of("cp", "--sparse=always", img.toString(), crashed.toString()));
    }
    String sb =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", crashed.toString())).out();
    assertThat(sb).as("the copy must carry a log tree").containsPattern("log_root\\s+[1-9]");

    Path mnt = tmp.resolve("j");
    Files.createDirectories(mnt);
    Cmd.Result refused =
        Cmd.run(
            List.of(
                FuseMount.launcher().toString(), "-o", "ro", crashed.toString(), mnt.toString()),
            FuseMount.launcher().getParent(),
            120);
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.out() + refused.stderr()).contains("log tree").contains("nologreplay");
    assertThat(Mounts.isMountPoint(mnt)).isFalse();

    try (RwFuseMount m = RwFuseMount.mount(crashed, mnt, "ro,nologreplay")) {
      assertThat(Files.readString(mnt.resolve("committed.txt"))).isEqualTo("before\n");
      assertThat(mnt.resolve("fsynced.bin")).as("the ignored log held this file").doesNotExist();
    }

    Cmd.Result rwIgnoring =
        Cmd.run(
            List.of(
                FuseMount.launcher().toString(),
                "-o",
                "nologreplay",
                crashed.toString(),
                mnt.toString()),
            FuseMount.launcher().getParent(),
            120);
    assertThat(rwIgnoring.exitCode()).isNotZero();
    assertThat(rwIgnoring.out() + rwIgnoring.stderr())
        .contains("nologreplay must be used with ro mount option");
    assertThat(Mounts.isMountPoint(mnt)).isFalse();

    try (RwFuseMount m = RwFuseMount.mount(crashed, mnt, "")) {
      assertThat(Files.readString(mnt.resolve("committed.txt"))).isEqualTo("before\n");
      assertThat(Files.size(mnt.resolve("fsynced.bin"))).isEqualTo(256L << 10);
    }
    BtrfsCheck.assertClean(crashed, "after the read-write mount replayed the log");
    String after =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", crashed.toString())).out();
    assertThat(after).containsPattern("log_root\\s+0\\b");
  }

  @Test
  void compressedWritesReadBackThroughTheKernel() throws Exception {
    for (String alg : List.of("zlib", "lzo", "zstd:3")) {
      Path img = tmp.resolve("c-" + alg.replace(':', '-') + ".img");
      Loop.createSparse(img, 512L << 20);
      Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString()));
      Path mnt = tmp.resolve("m-" + alg.replace(':', '-'));
      Files.createDirectories(mnt);
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 60_000; i++)
        text.append("line ").append(i % 97).append(" of compressible text\n");
      byte[] big = text.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      byte[] small = "a small file that becomes an inline extent ".repeat(20).getBytes();
      try (RwFuseMount m = RwFuseMount.mount(img, mnt, "compress=" + alg)) {
        Files.write(mnt.resolve("big.txt"), big);
        Files.write(mnt.resolve("small.txt"), small);
      }
      BtrfsCheck.assertClean(img);
      String tree =
          Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "5", img.toString()))
              .out();
      assertThat(tree).as(alg + " extents").containsPattern("extent compression [123] ");
      Path kmnt = tmp.resolve("k-" + alg.replace(':', '-'));
      Files.createDirectories(kmnt);
      try (Loop loop = Loop.attach(List.of(img));
          KernelMount k = KernelMount.mount(loop.devices(), kmnt, "")) {
        assertThat(Files.readAllBytes(kmnt.resolve("big.txt"))).as(alg).isEqualTo(big);
        assertThat(Files.readAllBytes(kmnt.resolve("small.txt"))).as(alg).isEqualTo(small);
      }
    }
  }
}
