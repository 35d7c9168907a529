package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -o device=PATH}, the kernel's way to name the other members of a multi-device filesystem
 * when mounting one of them: the named member joins the mount (a RAID1 written that way passes
 * btrfs check and a kernel mount of both devices reads it); a device of another filesystem is left
 * out, so the mount fails for the missing member as if it had not been named; a path that does not
 * exist fails the mount.
 */
class DeviceOptionTest {
  private static final long MiB = 1L << 20;

  @TempDir Path tmp;

  @Test
  void theNamedMemberJoinsAndOthersDoNot() throws Exception {
    Environment.requireOracleHost();
    Path a = tmp.resolve("a.img");
    Path b = tmp.resolve("b.img");
    Path other = tmp.resolve("other.img");
    for (Path p : List.of(a, b, other)) Loop.createSparse(p, 512 * MiB);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", "-d", "raid1", "-m", "raid1", a + "", b + ""))
        .check();
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", other.toString())).check();

    byte[] data = new byte[3 << 20];
    new java.util.Random(4).nextBytes(data);
    try (FuseMount m = FuseMount.mountReadWrite(List.of(a), tmp.resolve("m1"), "device=" + b)) {
      Files.write(m.path().resolve("f"), data);
    }
    BtrfsCheck.assertClean(a, "after a mount given one member and device= for the other");
    try (Loop loop = Loop.attach(List.of(a, b));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("k"), "ro")) {
      assertTrue(java.util.Arrays.equals(data, Files.readAllBytes(k.path().resolve("f"))));
    }

    FuseMount.Attempt wrong =
        FuseMount.attempt(List.of(a), tmp.resolve("m2"), "ro,device=" + other);
    if (wrong.mount() != null) wrong.mount().close();
    assertNull(wrong.mount(), "a device of another filesystem must not stand in for a member");
    assertTrue(wrong.refusal().contains("missing"), wrong.refusal());

    FuseMount.Attempt absent =
        FuseMount.attempt(List.of(a), tmp.resolve("m3"), "ro,device=" + tmp.resolve("nope"));
    if (absent.mount() != null) absent.mount().close();
    assertNull(absent.mount());
    assertNotEquals(0, absent.exitCode());
    assertTrue(absent.refusal().contains("no such device"), absent.refusal());

    // The member named twice (as the device and as device=) is used once.
    try (FuseMount m =
        FuseMount.mount(List.of(a, b), tmp.resolve("m4"), "device=" + b + ",device=" + a)) {
      assertEquals(data.length, Files.size(m.path().resolve("f")));
    }
  }
}
