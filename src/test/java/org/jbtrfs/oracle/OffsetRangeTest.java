package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole file offset range (src/test/resources/offsets/offsets.py): writes, reads, truncates,
 * fallocates and O_DIRECT at 2^63-2, 2^63-4096, 2^40+1 and around 2^32, and what lies past the
 * largest size (EINVAL, EFBIG), on a kernel btrfs mount and a jbtrfs mount of two fresh images. The
 * answers must agree, and so must what each image holds after an unmount and a mount; the jbtrfs
 * image must pass btrfs check and read the same through a kernel mount.
 */
class OffsetRangeTest {
  @TempDir Path tmp;

  @Test
  void kernelAndJbtrfsAgreeUpToTheLargestOffset() throws Exception {
    Environment.requireOracleHost();
    Path script = script();
    Path kImg = tmp.resolve("kernel.img");
    Path jImg = tmp.resolve("jbtrfs.img");
    for (Path img : List.of(kImg, jImg)) {
      Loop.createSparse(img, 300L << 20);
      Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    }
    String kWrite;
    String kVerify;
    try (Loop loop = Loop.attach(List.of(kImg))) {
      try (KernelMount m = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("k"))) {
        kWrite = run(script, m.path(), "write");
      }
      try (KernelMount m = KernelMount.mount(loop.devices(), tmp.resolve("k"), "")) {
        kVerify = run(script, m.path(), "verify");
      }
    }
    String jWrite;
    try (FuseMount m = FuseMount.mountReadWrite(List.of(jImg), tmp.resolve("j"), "")) {
      jWrite = run(script, m.path(), "write");
    }
    String jVerify;
    try (FuseMount m = FuseMount.mountReadWrite(List.of(jImg), tmp.resolve("j"), "")) {
      jVerify = run(script, m.path(), "verify");
    }
    assertEquals(kWrite, jWrite, "answers while writing");
    assertEquals(kVerify, jVerify, "contents after unmount and mount");
    BtrfsCheck.assertClean(jImg, "after writes at the top of the offset range");
    try (Loop loop = Loop.attach(List.of(jImg));
        KernelMount m = KernelMount.mount(loop.devices(), tmp.resolve("k"), "")) {
      assertEquals(kVerify, run(script, m.path(), "verify"), "the kernel reading jbtrfs's image");
    }
  }

  private static String run(Path script, Path mnt, String phase) {
    Cmd.Result r = Cmd.run(List.of("python3", script.toString(), mnt.toString(), phase), null, 300);
    assertEquals(0, r.exitCode(), "offsets.py " + phase + " on " + mnt + ": " + r.stderr());
    return new String(r.stdout());
  }

  private static Path script() throws URISyntaxException {
    return Path.of(OffsetRangeTest.class.getResource("/offsets/offsets.py").toURI());
  }
}
