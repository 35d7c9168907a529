package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mount -o remount,ro|rw} through the helper mount(8) runs for fuse.jbtrfs: remount,ro makes
 * the mount refuse changes with EROFS, as a kernel mount does, commits what was written before (the
 * image passes btrfs check while still mounted) and then leaves the image alone, reads and the
 * periodic committer included; remount,rw takes changes again; at the end a kernel mount reads what
 * was written before and after. A mount started read-only refuses remount,rw with a message, since
 * its daemon has no writer.
 */
class RemountTest {
  private static final long MiB = 1L << 20;

  @TempDir Path tmp;

  @Test
  void remountReadOnlyCommitsAndFreezesAndReadWriteThaws() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "img", 1024 * MiB);
    Path helper = FuseMount.launcher().resolveSibling("scripts").resolve("mount-helper");
    Path localA = tmp.resolve("a");
    Path localB = tmp.resolve("b");
    ImageFiles.randomFile(localA, 3 * MiB, 1);
    ImageFiles.randomFile(localB, 2 * MiB, 2);
    try (FuseMount m = FuseMount.mountReadWrite(List.of(img), tmp.resolve("mnt"), "")) {
      Path mnt = m.path();
      Files.copy(localA, mnt.resolve("a"));
      remount(helper, img, mnt, "remount,ro").check();
      assertTrue(mountOptions(mnt).startsWith("ro,"), mountOptions(mnt));
      FileSystemException refused =
          assertThrows(FileSystemException.class, () -> Files.createFile(mnt.resolve("new")));
      assertTrue(
          String.valueOf(refused.getMessage()).contains("Read-only file system"),
          refused.toString());
      // Committed: the image is whole while still mounted.
      Cmd.Result check =
          Cmd.run(List.of("btrfs", "check", "--readonly", "--force", img.toString()), null, 300);
      assertEquals(0, check.exitCode(), "btrfs check after remount,ro:\n" + check.out());
      String before = sha256(img);
      assertArrayEquals(Files.readAllBytes(localA), Files.readAllBytes(mnt.resolve("a")));
      Thread.sleep(6500); // past the periodic commit (5 s)
      assertEquals(before, sha256(img), "the image changed after remount,ro");

      remount(helper, img, mnt, "remount,rw").check();
      assertTrue(mountOptions(mnt).startsWith("rw,"), mountOptions(mnt));
      Files.copy(localB, mnt.resolve("b"));
    }
    BtrfsCheck.assertClean(img, "after remount,rw and unmount");
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "ro")) {
      assertArrayEquals(Files.readAllBytes(localA), Files.readAllBytes(k.path().resolve("a")));
      assertArrayEquals(Files.readAllBytes(localB), Files.readAllBytes(k.path().resolve("b")));
    }

    try (FuseMount m = FuseMount.mount(List.of(img), tmp.resolve("ro"), "")) {
      Cmd.Result r = remount(helper, img, m.path(), "remount,rw");
      assertEquals(32, r.exitCode(), r.out() + r.stderr());
      assertTrue(r.stderr().contains("mounted read-only"), r.stderr());
      assertTrue(mountOptions(m.path()).startsWith("ro,"), mountOptions(m.path()));
    }
  }

  /** What mount(8) runs for {@code mount -o OPTS MOUNTPOINT} of a fuse.jbtrfs mount. */
  private static Cmd.Result remount(Path helper, Path img, Path mnt, String opts) {
    return Cmd.run(List.of(helper.toString(), img.toString(), mnt.toString(), "-o", opts));
  }

  /** The mount's options as /proc/mounts shows them. */
  private static String mountOptions(Path mnt) throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      if (f[1].equals(mnt.toString())) return f[3];
    }
    throw new AssertionError(mnt + " is not mounted");
  }

  private static String sha256(Path p) {
    return Cmd.run(List.of("sha256sum", p.toString())).check().out().split(" ")[0];
  }
}
