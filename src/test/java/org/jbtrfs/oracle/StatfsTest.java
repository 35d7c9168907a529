package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * statfs (what df shows) through jbtrfs, now computed from the space infos, against the kernel's on
 * identical images: exactly equal on a fresh filesystem (where both have the same block groups),
 * and close after the same 16 MiB file was written and synced (the two drivers' tree block
 * placement may differ by a few blocks).
 */
class StatfsTest {
  private static final long MIB = 1L << 20;

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  /** {total, free, available} as df computes them from statvfs. */
  static long[] df(Path p) throws Exception {
    FileStore s = Files.getFileStore(p);
    return new long[] {s.getTotalSpace(), s.getUnallocatedSpace(), s.getUsableSpace()};
  }

  /** fsync: the kernel writes the file back, jbtrfs commits (FUSE does not pass syncfs on). */
  static void fsync(Path f) throws Exception {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  @Test
  void dfAgreesWithTheKernel(@TempDir Path tmp) throws Exception {
    for (long size : List.of(128 * MIB, 1024 * MIB)) {
      Path kimg = ImageFiles.mkfs(tmp, "k" + size + ".img", size);
      Path jimg = tmp.resolve("j" + size + ".img");
      Files.copy(kimg, jimg, StandardCopyOption.REPLACE_EXISTING);
      long[] kFresh;
      long[] kAfter;
      try (Loop loop = Loop.attach(List.of(kimg));
          KernelMount km = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
        kFresh = df(km.path());
        EnospcSupport.writeFile(km.path().resolve("f"), 16 * MIB, 7, new AtomicLong());
        fsync(km.path().resolve("f"));
        kAfter = df(km.path());
      }
      Path jmnt = Files.createDirectories(tmp.resolve("jmnt"));
      long[] jFresh;
      long[] jAfter;
      try (RwFuseMount m = RwFuseMount.mount(jimg, jmnt, "")) {
        jFresh = df(jmnt);
        EnospcSupport.writeFile(jmnt.resolve("f"), 16 * MIB, 7, new AtomicLong());
        fsync(jmnt.resolve("f"));
        jAfter = df(jmnt);
      }
      System.out.printf(
          "StatfsTest: %d MiB fresh kernel %s jbtrfs %s; after 16 MiB kernel %s jbtrfs %s%n",
          size >> 20,
          List.of(kFresh[0], kFresh[1], kFresh[2]),
          List.of(jFresh[0], jFresh[1], jFresh[2]),
          List.of(kAfter[0], kAfter[1], kAfter[2]),
          List.of(jAfter[0], jAfter[1], jAfter[2]));
      for (int i = 0; i < 3; i++) {
        assertEquals(kFresh[i], jFresh[i], "fresh " + (size >> 20) + " MiB, field " + i);
        assertEquals(kAfter[i], jAfter[i], "after writing and fsync, field " + i);
      }
      BtrfsCheck.assertClean(jimg, "after the statfs comparison");
    }
  }
}
