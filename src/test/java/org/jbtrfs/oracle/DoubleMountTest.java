package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One image, mounted twice, never has two writers. jbtrfs + jbtrfs: the second mount shows the
 * first one's filesystem (a bind mount, as the kernel shares one filesystem between mounts of a
 * device), read-write or read-only as asked. kernel + jbtrfs: refused with exit status 32 naming
 * the kernel's mount (read-only beside read-only is allowed). jbtrfs + kernel: util-linux itself
 * refuses a loop mount of the same file; a loop device attached by hand gets the kernel its mount,
 * and jbtrfs stops writing at once, keeping everything it had committed. No accepted write is lost.
 */
class DoubleMountTest {
  @TempDir Path tmp;

  private Path freshImage(String name) {
    Path img = tmp.resolve(name);
    Loop.createSparse(img, 300L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    return img;
  }

  /** Runs ./fuse-mount expecting it to refuse; returns its output. */
  private static String refusedMount(String options, Path img, Path mnt) throws IOException {
    Files.createDirectories(mnt);
    Cmd.Result r =
        Cmd.run(
            List.of(FuseMount.launcher().toString(), "-o", options, img.toString(), mnt.toString()),
            null,
            120);
    String out = new String(r.stdout()) + r.stderr();
    if (Mounts.isMountPoint(mnt)) Mounts.unmount(mnt, List.of("umount", mnt.toString()));
    assertEquals(32, r.exitCode(), "a busy image must be refused with status 32: " + out);
    assertFalse(Mounts.isMountPoint(mnt), "a refused mount must not be mounted");
    return out;
  }

  @Test
  void secondJbtrfsMountSharesTheFirstsFilesystem() throws Exception {
    Environment.requireOracleHost();
    Path img = freshImage("shared.img");
    try (FuseMount first = FuseMount.mountReadWrite(List.of(img), tmp.resolve("a"), "")) {
      try (FuseMount second = FuseMount.mountReadWrite(List.of(img), tmp.resolve("b"), "");
          FuseMount third = FuseMount.mount(List.of(img), tmp.resolve("c"), "")) {
        Files.writeString(first.path().resolve("x"), "x");
        Files.writeString(second.path().resolve("y"), "y");
        // One filesystem: each mount sees what the other wrote, at once.
        assertEquals("y", Files.readString(first.path().resolve("y")));
        assertEquals("x", Files.readString(second.path().resolve("x")));
        assertEquals("x", Files.readString(third.path().resolve("x")));
        assertThrows(
            FileSystemException.class, () -> Files.writeString(third.path().resolve("z"), "z"));
        // A read-write mount of a different subvolume cannot be shown by a bind mount: refused.
        String out = refusedMount("rw,subvolid=256", img, tmp.resolve("d"));
        assertTrue(out.contains(first.path().toString()), "must name the first mount: " + out);
      }
      // The first mount keeps serving after the others are gone.
      Files.writeString(first.path().resolve("after"), "after");
    }
    BtrfsCheck.assertClean(img, "after two jbtrfs mounts");
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("k"), "")) {
      for (String n : List.of("x", "y", "after"))
        assertEquals(n, Files.readString(k.path().resolve(n)), n + " lost");
    }
  }

  @Test
  void kernelMountFirstRefusesJbtrfs() throws Exception {
    Environment.requireOracleHost();
    Path img = freshImage("kernel.img");
    try (Loop loop = Loop.attach(List.of(img))) {
      try (KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("k"))) {
        Files.writeString(k.path().resolve("kernel"), "k");
        String rw = refusedMount("rw", img, tmp.resolve("j"));
        assertTrue(rw.contains(k.path().toString()), "must name the kernel's mount: " + rw);
        // A reader of a filesystem the kernel changes would read a moving target: refused too.
        refusedMount("ro", img, tmp.resolve("j"));
        // Offline commands that write are refused the same way.
        String jbtrfs = Path.of(System.getProperty("user.dir"), "scripts", "jbtrfs").toString();
        Cmd.Result cli = Cmd.run(List.of(jbtrfs, "mkdir", img.toString(), "/nope"), null, 120);
        assertEquals(32, cli.exitCode(), "jbtrfs mkdir on a mounted image: " + cli.stderr());
      }
      try (KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("k"), "");
          FuseMount j = FuseMount.mount(List.of(img), tmp.resolve("j"), "")) {
        // Read-only beside read-only: both read the same, unchanging filesystem.
        assertEquals("k", Files.readString(j.path().resolve("kernel")));
        refusedMount("rw", img, tmp.resolve("j2"));
      }
    }
    BtrfsCheck.assertClean(img, "after kernel and jbtrfs mounts");
  }

  @Test
  void kernelMountAfterJbtrfsStopsJbtrfsWriting() throws Exception {
    Environment.requireOracleHost();
    Path img = freshImage("late.img");
    try (FuseMount j = FuseMount.mountReadWrite(List.of(img), tmp.resolve("j"), "")) {
      Files.writeString(j.path().resolve("synced"), "synced");
      Cmd.run(List.of("sync", j.path().resolve("synced").toString())).check();
      // util-linux finds the file already behind jbtrfs's loop device, mounted: it refuses.
      Files.createDirectories(tmp.resolve("k1"));
      Cmd.Result viaMount =
          Cmd.run(List.of("mount", "-o", "loop", img.toString(), tmp.resolve("k1").toString()));
      assertTrue(viaMount.exitCode() != 0, "mount -o loop of a jbtrfs-served image must fail");
      assertFalse(Mounts.isMountPoint(tmp.resolve("k1")));
      try (Loop loop = Loop.attach(List.of(img));
          KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("k"))) {
        Files.writeString(k.path().resolve("kernel"), "kernel");
        Path late = j.path().resolve("late");
        long deadline = System.currentTimeMillis() + 10_000;
        boolean refused = false;
        while (!refused && System.currentTimeMillis() < deadline) {
          try {
            Files.writeString(late, "late");
            Files.delete(late);
            Thread.sleep(100);
          } catch (FileSystemException e) {
            refused = true;
          }
        }
        assertTrue(refused, "jbtrfs kept writing beside a kernel mount of its image");
      }
    }
    BtrfsCheck.assertClean(img, "after a kernel mount beside jbtrfs");
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("k"), "")) {
      assertEquals("synced", Files.readString(k.path().resolve("synced")));
      assertEquals("kernel", Files.readString(k.path().resolve("kernel")));
    }
  }
}
