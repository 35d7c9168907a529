package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Log replay judged by the kernel. For each scenario the kernel builds a crashed image: it commits
 * a starting state, then changes it and fsyncs, and the image is copied before the next commit, so
 * the fsynced changes live only in the log tree. One copy is replayed by a kernel mount, the other
 * by a read-write jbtrfs mount; jbtrfs's copy must pass btrfs check and, read back by the kernel,
 * show exactly the tree the kernel replayed (names, types, modes, sizes, blocks, link counts,
 * xattrs, content). Times are not compared: replaying an unlink stamps the current time.
 */
class LogReplayTest {
  @TempDir Path tmp;

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  /**
   * Shell steps run in the kernel mount: {@code committed}, a commit, then {@code logged}; and a
   * shell test that the replayed tree shows the logged change.
   */
  static Stream<Arguments> scenarios() {
    return Stream.of(
        Arguments.of(
            "new file written and fsynced",
            "echo committed > keep",
            "head -c 300000 /dev/urandom > new.bin && sync new.bin",
            "test -s new.bin"),
        Arguments.of(
            "append to an existing file",
            "head -c 100000 /dev/urandom > grow.bin",
            "head -c 70000 /dev/urandom >> grow.bin && sync grow.bin",
            "test $(stat -c %s grow.bin) = 170000"),
        Arguments.of(
            "rename of a file, then fsync of the file",
            "mkdir a && echo x > a/old && echo y > a/stay",
            "mv a/old a/renamed && sync a/renamed",
            "test -f a/renamed && test ! -e a/old"),
        Arguments.of(
            "rename over an existing file, then fsync of the directory",
            "mkdir a && echo x > a/src && head -c 40000 /dev/urandom > a/victim",
            "mv a/src a/victim && sync a",
            "test ! -e a/src && test $(cat a/victim) = x"),
        Arguments.of(
            "unlink of a name, then fsync of the directory",
            "mkdir d && echo 1 > d/gone && echo 2 > d/kept && head -c 50000 /dev/urandom > d/big",
            "rm d/gone d/big && sync d",
            "test ! -e d/gone && test ! -e d/big && test -f d/kept"),
        Arguments.of(
            "new directory with files, fsync of the directory",
            "echo base > base",
            "mkdir nd && for i in 1 2 3 4 5; do head -c $((i * 3000)) /dev/urandom > nd/f$i; done"
                + " && sync nd/f1 nd/f2 nd/f3 nd/f4 nd/f5 nd",
            "test -s nd/f5"),
        Arguments.of(
            "xattrs set and removed, then fsync",
            "echo x > attrs && setfattr -n user.old -v gone attrs && setfattr -n user.keep -v k"
                + " attrs",
            "setfattr -x user.old attrs && setfattr -n user.new -v fresh attrs"
                + " && setfattr -n user.keep -v changed attrs && sync attrs",
            "test \"$(getfattr --only-values -n user.new attrs)\" = fresh"),
        Arguments.of(
            "fallocate, within and past the size, then fsync",
            "echo x > pre",
            "fallocate -l 1M alloc.bin && head -c 20000 /dev/urandom | dd of=alloc.bin conv=notrunc"
                + " status=none && fallocate -n -o 1M -l 512k alloc.bin && sync alloc.bin",
            "test $(stat -c %s alloc.bin) = 1048576"),
        Arguments.of(
            "hard link, then fsync",
            "mkdir h && echo linked > h/orig",
            "ln h/orig h/second && ln h/orig third && sync h/orig",
            "test $(stat -c %h h/orig) = 3"),
        Arguments.of(
            "truncate down, then fsync",
            "head -c 300000 /dev/urandom > t1.bin",
            "truncate -s 50000 t1.bin && sync t1.bin",
            "test $(stat -c %s t1.bin) = 50000"),
        Arguments.of(
            "symlink and fifo, fsync of the directory",
            "mkdir s",
            "ln -s /some/target s/link && mkfifo s/fifo && sync s",
            "test -L s/link && test -p s/fifo"),
        Arguments.of(
            "compressed data",
            "touch c.bin && btrfs property set c.bin compression zstd",
            "yes compressible | head -c 500000 > c.bin && sync c.bin",
            "test $(stat -c %s c.bin) = 500000"),
        Arguments.of(
            "nodatasum (nocow) data",
            "mkdir w && chattr +C w",
            "head -c 30000 /dev/urandom > w/nocow && sync w/nocow",
            "test $(stat -c %s w/nocow) = 30000"),
        Arguments.of(
            "a file in a subvolume other than the top one",
            "btrfs subvolume create sv >/dev/null && echo a > sv/a",
            "head -c 90000 /dev/urandom > sv/f && sync sv/f",
            "test $(stat -c %s sv/f) = 90000"),
        Arguments.of(
            "hundreds of hard links: extended refs",
            "mkdir l && echo x > l/f",
            "for i in $(seq 1 400); do ln l/f l/a_long_link_name_number_$i; done && sync l/f",
            "test $(stat -c %h l/f) = 401"),
        Arguments.of(
            "a file in new nested directories",
            "echo x > top",
            "mkdir -p x/y/z && head -c 20000 /dev/urandom > x/y/z/f && sync x/y/z/f",
            "test -s x/y/z/f"),
        Arguments.of(
            "a directory tree removed, fsync of its parent",
            "mkdir -p r/s/t && echo 1 > r/s/t/f && echo 2 > r/g && head -c 9000 /dev/urandom >"
                + " r/s/h",
            "rm -rf r/s && sync r",
            "test ! -e r/s && test -f r/g"),
        Arguments.of(
            "many files: a log over several leaves",
            "mkdir many",
            "for i in $(seq 1 600); do head -c $((i % 7 * 1500 + 10)) /dev/urandom > many/f$i;"
                + " done && sync many/* many",
            "test $(ls many | wc -l) = 600"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void jbtrfsReplaysLikeTheKernel(String name, String committed, String logged, String check)
      throws Exception {
    // A log of several leaves is what the last scenario is about; the others take any log.
    Path crashed = crash(committed, logged, name.contains("several leaves") ? 1 : 0);
    Path byKernel = tmp.resolve("by-kernel.img");
    Path byJbtrfs = tmp.resolve("by-jbtrfs.img");
    copy(crashed, byKernel);
    copy(crashed, byJbtrfs);

    Manifest expected;
    try (Loop loop = Loop.attach(List.of(byKernel));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("k"), "noatime")) {
      // The kernel's own replay must show the fsynced change, or the scenario tests nothing.
      sh(tmp.resolve("k"), check);
      expected = ManifestReader.read(tmp.resolve("k"));
    }

    Path mnt = tmp.resolve("j");
    mkdirs(mnt);
    try (RwFuseMount m = RwFuseMount.mount(byJbtrfs, mnt, "")) {
      // The mount goes on after the replay: space the log held is allocatable again.
      Path extra = mnt.resolve("written-after-replay.bin");
      byte[] data = new byte[300_000];
      new java.util.Random(7).nextBytes(data);
      Files.write(extra, data);
      assertThat(Files.readAllBytes(extra)).isEqualTo(data);
      Files.delete(extra);
    }
    assertThat(logRoot(byJbtrfs)).as("the replay commit clears the log root").isZero();
    BtrfsCheck.assertClean(byJbtrfs, "after jbtrfs replayed the log (" + name + ")");

    Manifest actual;
    try (Loop loop = Loop.attach(List.of(byJbtrfs));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("k2"), "")) {
      actual = ManifestReader.read(tmp.resolve("k2"));
    }
    List<String> diff = Manifest.diff(expected, actual, Set.of("atime", "mtime", "ctime"));
    assertThat(diff).as(name + ": " + Manifest.report(diff, 20)).isEmpty();
  }

  /**
   * Runs the scenario in a kernel mount and copies the image the way a crash would leave it. The
   * kernel sometimes commits a transaction on its own (then the copy has no log to replay, or only
   * the part logged after that commit), so a scenario is retried a few times until its copy carries
   * a log tree of at least {@code minLevel}.
   */
  private Path crash(String committed, String logged, int minLevel) {
    Path crashed = tmp.resolve("crashed.img");
    for (int attempt = 1; attempt <= 4; attempt++) {
      Path img = tmp.resolve("scenario.img");
      Loop.createSparse(img, 512L << 20);
      Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
      Path kmnt = tmp.resolve("scenario");
      try (Loop loop = Loop.attach(List.of(img));
          KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt, "commit=300")) {
        sh(kmnt, committed);
        Cmd.run(List.of("sync")).check();
        sh(kmnt, logged);
        copy(img, crashed);
      }
      if (logRoot(crashed) != 0 && logTreeLevel(crashed) >= minLevel) return crashed;
    }
    throw new AssertionError(
        "the kernel committed instead of logging (or logged less than a level-"
            + minLevel
            + " tree), 4 times in a row");
  }

  /** The level of the first per-subvolume log tree of the image. */
  private static int logTreeLevel(Path img) {
    String out =
        Cmd.run(
                List.of(
                    "btrfs",
                    "inspect-internal",
                    "dump-tree",
                    "-b",
                    Long.toString(logRoot(img)),
                    img.toString()))
            .out();
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\blevel (\\d+) generation_v2").matcher(out);
    if (!m.find()) throw new AssertionError("no log tree root item in:\n" + out);
    return Integer.parseInt(m.group(1));
  }

  private static void mkdirs(Path p) {
    try {
      Files.createDirectories(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void sh(Path cwd, String script) {
    Cmd.run(List.of("sh", "-ec", script), cwd, 300).check();
  }

  private static void copy(Path from, Path to) {
    Cmd.run(List.of("cp", "--sparse=always", from.toString(), to.toString())).check();
  }

  private static long logRoot(Path img) {
    String sb = Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", img.toString())).out();
    for (String line : sb.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 2 && f[0].equals("log_root")) return Long.parseLong(f[1]);
    }
    throw new AssertionError("no log_root in dump-super output:\n" + sb);
  }
}
