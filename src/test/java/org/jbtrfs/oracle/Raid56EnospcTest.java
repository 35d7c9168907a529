package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Filling RAID5 and RAID6 device sets to ENOSPC through the kernel and through jbtrfs, from
 * identical copies of one mkfs.btrfs set. Parity takes one (two) devices' worth of every row, and a
 * chunk can only be as wide as the devices with room left, so what fits depends on the chunk
 * allocator and the space accounting agreeing with the kernel's: jbtrfs must accept at least 95% of
 * the bytes the kernel accepts (and not more than the kernel's plus a little, which would mean
 * promising space that is not there), end with ENOSPC at write time, and leave a set that btrfs
 * check finds clean and a kernel mount reads back intact.
 */
class Raid56EnospcTest {

  static Stream<TwinDeviceSets.Layout> configs() {
    return Stream.of(
        new TwinDeviceSets.Layout("raid5", "raid5", new long[] {256, 256, 256}),
        new TwinDeviceSets.Layout("raid6", "raid6", new long[] {256, 256, 256, 256}),
        // Unequal devices: once the small one is full, chunks narrow to the devices left.
        new TwinDeviceSets.Layout("raid5", "raid1", new long[] {192, 320, 448}),
        new TwinDeviceSets.Layout("raid6", "raid1c3", new long[] {192, 256, 320, 448}));
  }

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void fillsLikeTheKernel(TwinDeviceSets.Layout c, @TempDir Path tmp) throws Exception {
    TwinDeviceSets sets = c.make(tmp);
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
        "Raid56EnospcTest: %s: kernel %s; jbtrfs %s (%.1f%%)%n",
        c, kernel, jbtrfs, 100.0 * jbtrfs.bytes() / kernel.bytes());
    assertTrue(jbtrfs.enospcHits() > 0, "no jbtrfs writer saw ENOSPC");
    assertTrue(
        jbtrfs.bytes() >= kernel.bytes() * 0.95,
        c + ": jbtrfs took " + jbtrfs.bytes() + " bytes, less than 95% of the kernel's " + kernel);
    assertTrue(
        jbtrfs.bytes() <= kernel.bytes() * 1.05,
        c + ": jbtrfs took " + jbtrfs.bytes() + " bytes, over 5% more than the kernel's " + kernel);

    try (Loop loop = Loop.attach(jimgs)) {
      Cmd.run(concat(List.of("btrfs", "device", "scan"), loop.devices())).check();
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the fill (" + c + ")");
      List<String> bad =
          new Raid56Layout(DeviceSetDump.of(loop.devices()))
              .verifyParity(Raid56Io.byDevid(jimgs))
              .mismatches();
      assertTrue(bad.isEmpty(), c + ": parity that does not match its data: " + bad);
      try (KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("vmnt"), "")) {
        EnospcSupport.verify(jbtrfs.digests(), mnt, km.path(), "kernel mount after the fill");
      }
      DeviceSetDump d = DeviceSetDump.of(loop.devices());
      for (var e : d.bytesUsed.entrySet()) {
        assertEquals(d.devExtentBytes.get(e.getKey()), e.getValue(), "devid " + e.getKey());
      }
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
