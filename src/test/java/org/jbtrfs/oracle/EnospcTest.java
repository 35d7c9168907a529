package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, kernel vs jbtrfs: two identical fresh 1 GiB images (mkfs.btrfs defaults), each
 * filled to ENOSPC by 4 concurrent writers of 4 KiB..2 MiB files, one through a kernel loop mount,
 * one through jbtrfs. jbtrfs must get at least 95% of the kernel's bytes onto the disk, every
 * finished file must read back intact (after a remount), and btrfs check must be clean. Then, on
 * the full jbtrfs filesystem: mkdir still works (the mount did not go read-only), deleting always
 * works, writing works again, and after filling it again a remount does not reveal space that was
 * refused before (no ENOSPC that a remount clears up).
 */
class EnospcTest {
  private static final long IMAGE = 1L << 30;
  private static final int WRITERS = 4;
  private static final int MIN = 4 << 10;
  private static final int MAX = 2 << 20;
  private static final long FILL_TIMEOUT = 600;

  /** What a remount may add to a full filesystem's room (the kernel's own figure is printed). */
  private static final long REMOUNT_SLACK = 4L << 20;

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  @Test
  void fillToEnospcLikeTheKernel(@TempDir Path tmp) throws Exception {
    long t0 = System.nanoTime();
    Path base = ImageFiles.mkfs(tmp, "base.img", IMAGE);
    Path kimg = tmp.resolve("kernel.img");
    Path jimg = tmp.resolve("jbtrfs.img");
    Cmd.run(List.of("cp", "--sparse=always", base.toString(), kimg.toString())).check();
    Cmd.run(List.of("cp", "--sparse=always", base.toString(), jimg.toString())).check();
    Path kmnt = Files.createDirectories(tmp.resolve("kmnt"));
    Path jmnt = Files.createDirectories(tmp.resolve("jmnt"));

    // The kernel's figures.
    EnospcSupport.Fill k;
    long kernelAfterRemount;
    try (Loop loop = Loop.attach(List.of(kimg))) {
      try (KernelMount km = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
        k = EnospcSupport.fill(kmnt, WRITERS, 1, MIN, MAX, FILL_TIMEOUT);
        EnospcSupport.verify(k.digests(), kmnt, kmnt, "kernel");
      }
      try (KernelMount km = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
        kernelAfterRemount = EnospcSupport.writeUntilFull(kmnt.resolve("extra"), 16L << 20);
      }
    }
    System.out.println(
        "EnospcTest: kernel fill: "
            + k
            + "; after a remount it took "
            + kernelAfterRemount
            + " more bytes");

    // jbtrfs: fill, mkdir, delete half, write again, fill again.
    EnospcSupport.Fill j;
    Map<Path, byte[]> kept = new TreeMap<>();
    long refill;
    RwFuseMount m = RwFuseMount.mount(jimg, jmnt, "");
    try {
      j = EnospcSupport.fill(jmnt, WRITERS, 1, MIN, MAX, FILL_TIMEOUT);
      System.out.println("EnospcTest: jbtrfs fill: " + j);
      System.out.printf(
          "EnospcTest: bytes written kernel %d, jbtrfs %d (%.2f%%)%n",
          k.bytes(), j.bytes(), 100.0 * j.bytes() / k.bytes());
      mkdirOrFail(jmnt.resolve("after-enospc"), "after the first ENOSPC");
      EnospcSupport.verify(j.digests(), jmnt, jmnt, "jbtrfs, before the remount");

      // Deleting always works on a full filesystem; every second finished file goes.
      int i = 0;
      for (Map.Entry<Path, byte[]> e : j.digests().entrySet()) {
        if (i++ % 2 == 0) {
          EnospcSupport.within(
              60,
              "unlink " + e.getKey(),
              () -> {
                Files.delete(e.getKey());
                return null;
              });
        } else {
          kept.put(e.getKey(), e.getValue());
        }
      }
      Path again = jmnt.resolve("again");
      byte[] d =
          EnospcSupport.within(
              120,
              "writing after deletes",
              () -> EnospcSupport.writeFile(again, 8L << 20, 77, new AtomicLong()));
      kept.put(again, d);

      // Full again, with one writer in 128 KiB calls.
      refill =
          EnospcSupport.within(
              FILL_TIMEOUT,
              "refill",
              () -> EnospcSupport.writeUntilFull(jmnt.resolve("refill"), 2L << 30));
      mkdirOrFail(jmnt.resolve("after-refill"), "after the second ENOSPC");
    } finally {
      m.close();
    }
    BtrfsCheck.assertClean(jimg, "after filling jbtrfs twice");

    long after;
    m = RwFuseMount.mount(jimg, jmnt, "");
    try {
      EnospcSupport.verify(kept, jmnt, jmnt, "jbtrfs, after the remount");
      after =
          EnospcSupport.within(
              120,
              "writing after the remount",
              () -> EnospcSupport.writeUntilFull(jmnt.resolve("extra"), 16L << 20));
      mkdirOrFail(jmnt.resolve("after-remount"), "after the remount");
    } finally {
      m.close();
    }
    BtrfsCheck.assertClean(jimg, "at the end");
    System.out.printf(
        "EnospcTest: jbtrfs refill took %d bytes; after a remount %d more (kernel: %d)%n",
        refill, after, kernelAfterRemount);

    assertTrue(
        j.bytes() >= 0.95 * k.bytes(),
        "jbtrfs wrote " + j.bytes() + " bytes, less than 95% of the kernel's " + k.bytes());
    assertTrue(j.enospcHits() > 0 && k.enospcHits() > 0, "both fills must end with ENOSPC");
    assertTrue(
        after <= REMOUNT_SLACK,
        "after the remount "
            + after
            + " more bytes fit on a filesystem that had "
            + "refused writes: ENOSPC that a remount clears up");
    System.out.printf("EnospcTest passed in %d s%n", (System.nanoTime() - t0) / 1_000_000_000);
  }

  /** mkdir must work on a data-full filesystem; EROFS means the mount turned read-only. */
  static void mkdirOrFail(Path dir, String when) throws Exception {
    try {
      EnospcSupport.within(60, "mkdir " + dir, () -> Files.createDirectory(dir));
    } catch (IOException e) {
      if (EnospcSupport.isErofs(e)) fail("the mount turned read-only " + when + ": " + e);
      fail("mkdir " + when + " failed: " + EnospcSupport.messageOf(e));
    }
  }

  static List<Path> list(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return new ArrayList<>(s.sorted().toList());
    }
  }
}
