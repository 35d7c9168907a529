package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * statfs (df's size, free and available) of RAID5/6 device sets through jbtrfs against the kernel's
 * on identical copies, fresh and after the same 240 MiB file was written and committed (the kernel
 * by syncfs, jbtrfs by fsync, since FUSE does not pass syncfs on). The kernel counts a parity
 * profile's raw space by its data share of each row (n-1 of n devices for RAID5, n-2 for RAID6),
 * and estimates the room left in unallocated space by simulating chunk allocation over the devices'
 * free space, so unequal devices (where chunks narrow as the small ones fill) show whether jbtrfs
 * follows the same rules rather than a plain ratio.
 */
class Raid56StatfsTest {
  private static final long MiB = 1L << 20;

  static Stream<TwinDeviceSets.Layout> configs() {
    return Stream.of(
        new TwinDeviceSets.Layout("raid5", "raid5", new long[] {512, 512, 512}),
        new TwinDeviceSets.Layout("raid6", "raid6", new long[] {512, 512, 512, 512}),
        new TwinDeviceSets.Layout("raid5", "raid1", new long[] {256, 512, 1024}),
        new TwinDeviceSets.Layout("raid5", "raid5", new long[] {320, 448, 576}),
        new TwinDeviceSets.Layout("raid6", "raid1c3", new long[] {256, 384, 512, 1024}),
        new TwinDeviceSets.Layout("raid6", "raid6", new long[] {320, 384, 448, 512, 576}));
  }

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void dfAgreesWithTheKernel(TwinDeviceSets.Layout c, @TempDir Path tmp) throws Exception {
    TwinDeviceSets sets = c.make(tmp);
    List<Path> jimgs = sets.jbtrfs();
    List<Path> kimgs = sets.kernel();
    long[] kFresh;
    long[] kAfter;
    Map<String, Long> kUsageFresh;
    Map<String, Long> kUsageAfter;
    try (Loop loop = Loop.attach(kimgs);
        KernelMount km = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      kFresh = StatfsTest.df(km.path());
      kUsageFresh = UsageNumbers.kernel(km.path());
      EnospcSupport.writeFile(km.path().resolve("f"), 240 * MiB, 7, new AtomicLong());
      // syncfs commits the kernel's transaction; its fsync may only write the log tree, which
      // leaves the block groups' used bytes (what statfs counts) as they were.
      Cmd.run(List.of("sync", "-f", km.path().toString())).check();
      kAfter = StatfsTest.df(km.path());
      kUsageAfter = UsageNumbers.kernel(km.path());
    }
    Map<String, Long> jUsageFresh = UsageNumbers.jbtrfs(jimgs);
    Path jmnt = Files.createDirectories(tmp.resolve("jmnt"));
    long[] jFresh;
    long[] jAfter;
    try (RwFuseMount m = RwFuseMount.mount(jimgs, jmnt, "")) {
      jFresh = StatfsTest.df(jmnt);
      EnospcSupport.writeFile(jmnt.resolve("f"), 240 * MiB, 7, new AtomicLong());
      StatfsTest.fsync(jmnt.resolve("f"));
      jAfter = StatfsTest.df(jmnt);
    }
    Map<String, Long> jUsageAfter = UsageNumbers.jbtrfs(jimgs);
    long[] jOffline = UsageNumbers.jbtrfsStatfs(jimgs);
    long[] kOnJ;
    Map<String, Long> kUsageOnJ;
    try (Loop loop = Loop.attach(jimgs);
        KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("vmnt"), "")) {
      kOnJ = StatfsTest.df(km.path());
      kUsageOnJ = UsageNumbers.kernel(km.path());
    }
    System.out.printf(
        "Raid56StatfsTest: %s: fresh kernel %s jbtrfs %s; after 240 MiB kernel %s jbtrfs %s;"
            + " jbtrfs's set read by the kernel %s, by jbtrfs offline %s%n"
            + "  usage fresh %s%n  usage of jbtrfs's set after %s%n",
        c,
        show(kFresh),
        show(jFresh),
        show(kAfter),
        show(jAfter),
        show(kOnJ),
        show(jOffline),
        kUsageFresh,
        kUsageOnJ);
    String[] field = {"total", "free", "available"};
    List<Executable> checks = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int f = i;
      checks.add(() -> assertEquals(kFresh[f], jFresh[f], c + ": fresh, " + field[f]));
      // The same bytes on disk: the kernel's numbers and jbtrfs's must be the same.
      checks.add(
          () ->
              assertEquals(kOnJ[f], jAfter[f], c + ": jbtrfs's set after the write, " + field[f]));
      checks.add(
          () -> assertEquals(kOnJ[f], jOffline[f], c + ": jbtrfs's set offline, " + field[f]));
    }
    checks.add(() -> assertEquals(kUsageFresh, jUsageFresh, c + ": usage of the fresh set"));
    checks.add(
        () -> assertEquals(kUsageOnJ, jUsageAfter, c + ": usage of jbtrfs's set after the write"));
    // The two drivers' writes of the same file: same total and available (the data chunks are the
    // same), and free differs only by the tree blocks each used (the kernel may put the file's
    // extents in other places of the same chunks, which cuts the csum items elsewhere), counted in
    // raw bytes (times the metadata profile's copies) plus any change in the global reserve.
    checks.add(() -> assertEquals(kAfter[0], jAfter[0], c + ": after the write, total"));
    checks.add(() -> assertEquals(kAfter[2], jAfter[2], c + ": after the write, available"));
    checks.add(
        () ->
            assertEquals(
                rawUsed(kUsageOnJ) - rawUsed(kUsageAfter),
                kAfter[1] - jAfter[1],
                c + ": after the write, free differs by more than the two drivers' used bytes"));
    assertAll(c.toString(), checks);
  }

  /**
   * Used bytes on the devices (parity not counted, as the kernel's statfs does) plus the reserve.
   */
  private static long rawUsed(Map<String, Long> usage) {
    long raw = usage.get("Global reserve");
    for (Map.Entry<String, Long> e : usage.entrySet()) {
      if (!e.getKey().endsWith(" used")) continue;
      String profile = e.getKey().substring(e.getKey().indexOf(',') + 1).replace(" used", "");
      int copies =
          switch (profile) {
            case "DUP", "RAID1", "RAID10" -> 2;
            case "RAID1C3" -> 3;
            case "RAID1C4" -> 4;
            default -> 1;
          };
      raw += e.getValue() * copies;
    }
    return raw;
  }

  private static List<Long> show(long[] v) {
    return List.of(v[0], v[1], v[2]);
  }
}
