package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The daemon reads requests two ways: every worker blocking on the session's /dev/fuse ({@code
 * poll_us=0}), or each worker on its own clone of it with one polling at a time (the default). Both
 * must serve a one-call-after-another shell-like loop and several writers at once without losing or
 * mixing up anything, and leave a filesystem btrfs check and the kernel accept. The daemon's open
 * /dev/fuse descriptors show which way it actually ran.
 */
class RequestReadingModesTest {
  private static final int SEQUENTIAL_FILES = 400;
  private static final int WRITERS = 4;
  private static final int FILES_PER_WRITER = 150;

  @TempDir Path tmp;

  @ParameterizedTest(name = "-o ''{0}''")
  @CsvSource({"poll_us=0, 1", "'', 2", "poll_us=50, 2"})
  void servesSequentialAndParallelCallers(String options, int fuseDescriptors) throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "modes.img", 512L << 20);
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    try (RwFuseMount m = RwFuseMount.mount(img, mnt, options)) {
      assertThat(fuseDescriptors(m.pid))
          .as("daemon's /dev/fuse descriptors")
          .isEqualTo(fuseDescriptors);
      Path seq = Files.createDirectories(mnt.resolve("seq"));
      for (int i = 0; i < SEQUENTIAL_FILES; i++)
        Files.writeString(seq.resolve("f" + i), "file " + i);
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
          int writer = w;
          done.add(pool.submit(() -> writeAndReadBack(mnt.resolve("w" + writer), writer)));
        }
        for (Future<?> f : done) f.get(300, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
      verify(mnt);
    }
    BtrfsCheck.assertClean(img, "after a mount with '" + options + "'");
    Path kmnt = Files.createDirectories(tmp.resolve("kernel"));
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), kmnt, "ro")) {
      verify(k.path());
    }
  }

  private static Void writeAndReadBack(Path dir, int writer) throws IOException {
    Files.createDirectories(dir);
    for (int i = 0; i < FILES_PER_WRITER; i++) {
      Path f = dir.resolve("f" + i);
      byte[] content = content(writer, i);
      Files.write(f, content);
      assertThat(Files.readAllBytes(f)).as(f.toString()).isEqualTo(content);
    }
    return null;
  }

  private static void verify(Path root) throws IOException {
    for (int i = 0; i < SEQUENTIAL_FILES; i++)
      assertThat(Files.readString(root.resolve("seq/f" + i))).isEqualTo("file " + i);
    for (int w = 0; w < WRITERS; w++) {
      try (var names = Files.list(root.resolve("w" + w))) {
        assertThat(names.count()).isEqualTo(FILES_PER_WRITER);
      }
      for (int i = 0; i < FILES_PER_WRITER; i++)
        assertThat(Files.readAllBytes(root.resolve("w" + w + "/f" + i))).isEqualTo(content(w, i));
    }
  }

  /** Differs per writer and file, and spans a few pages for some files. */
  private static byte[] content(int writer, int i) {
    String line = "writer " + writer + " file " + i + "\n";
    return line.repeat(1 + (i % 7) * 97).getBytes(StandardCharsets.UTF_8);
  }

  private static int fuseDescriptors(long pid) throws IOException {
    int n = 0;
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        try {
          if (Files.readSymbolicLink(fd).toString().equals("/dev/fuse")) n++;
        } catch (IOException gone) {
          // closed while listing
        }
      }
    }
    return n;
  }
}
