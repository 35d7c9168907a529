package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Filling a RAID1 filesystem on one small and one large device through a jbtrfs mount. RAID1 can
 * only use as much of the large device as the small one mirrors, so space promised to writers must
 * follow the allocator's device rules, not free bytes divided by two: writers must get ENOSPC at
 * write time (never a failed commit and a read-only filesystem), about where the kernel's writers
 * get it on an identical copy, and everything written must be intact for btrfs check and a kernel
 * mount.
 */
class MultiDeviceEnospcTest {

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  @Test
  void raid1OnUnequalDevicesFillsLikeTheKernel(@TempDir Path tmp) throws Exception {
    TwinDeviceSets sets = TwinDeviceSets.make(tmp, "raid1", "raid1", new long[] {256, 768});
    List<Path> jimgs = sets.jbtrfs();
    List<Path> kimgs = sets.kernel();

    EnospcSupport.Fill kernel;
    try (Loop loop = Loop.attach(kimgs);
        KernelMount km = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      kernel = EnospcSupport.fill(km.path(), 2, 11, 256 << 10, 8 << 20, 300);
    }
    Path mnt = Files.createDirectories(tmp.resolve("jmnt"));
    EnospcSupport.Fill jbtrfs;
    try (RwFuseMount m = RwFuseMount.mount(jimgs, mnt, "")) {
      jbtrfs = EnospcSupport.fill(mnt, 2, 11, 256 << 10, 8 << 20, 300);
    }
    System.out.printf(
        "MultiDeviceEnospcTest: raid1 on 256M+768M: kernel %s; jbtrfs %s (%.1f%%)%n",
        kernel, jbtrfs, 100.0 * jbtrfs.bytes() / kernel.bytes());
    assertTrue(jbtrfs.enospcHits() > 0, "no jbtrfs writer saw ENOSPC");
    // The kernel fills about 195 MiB; half the free bytes of both devices would promise over
    // 400 MiB (that estimate ends in a failed writeback commit and EROFS). Allow the slack of
    // differing metadata reserves, not a wrong capacity.
    assertTrue(
        jbtrfs.bytes() > kernel.bytes() * 0.8 && jbtrfs.bytes() < kernel.bytes() * 1.1,
        "jbtrfs took " + jbtrfs.bytes() + " bytes, the kernel " + kernel.bytes());

    try (Loop loop = Loop.attach(jimgs)) {
      Cmd.run(List.of("btrfs", "device", "scan", loop.devices().get(0), loop.devices().get(1)))
          .check();
      Cmd.Result check =
          Cmd.run(List.of("btrfs", "check", "--readonly", loop.devices().get(0)), null, 600);
      assertEquals(0, check.exitCode(), check.out() + check.stderr());
      try (KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("vmnt"), "")) {
        EnospcSupport.verify(jbtrfs.digests(), mnt, km.path(), "kernel mount after the fill");
      }
      DeviceSetDump d = DeviceSetDump.of(loop.devices());
      for (var e : d.bytesUsed.entrySet()) {
        assertEquals(d.devExtentBytes.get(e.getKey()), e.getValue(), "devid " + e.getKey());
      }
    }
  }
}
