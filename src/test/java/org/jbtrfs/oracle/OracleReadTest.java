package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compares what jbtrfs shows through FUSE with what the kernel shows, for every image configuration
 * of scripts/make-test-images and, per configuration, every mount variant (subvol=/subvolid=,
 * degraded with devices left out).
 *
 * <p>With -Djbtrfs.oracle.kernelOnly=true the "actual" side is another kernel mount of the same
 * image files (fresh loop devices, same options), which checks the harness itself while
 * ./fuse-mount does not exist yet. -Djbtrfs.oracle.configs=raid5,subvolumes limits the run to some
 * configurations.
 *
 * <p>Run: mvn -q -B -o test -Dtest=OracleReadTest [-Djbtrfs.oracle.kernelOnly=true] (root, loop
 * devices, /dev/fuse and the btrfs module; about a minute for all configurations on the kernel
 * side, 2-4 s each).
 */
class OracleReadTest {
  /**
   * Fields not compared. Empty on purpose: both sides are read-only (so atime is stable and
   * compared), and everything else is stored on disk. st_ino is compared per subvolume (see
   * ManifestReader#inode for how entries outside the mounted subvolume are told apart on each
   * side).
   */
  private static final Set<String> IGNORED = Set.of();

  /**
   * A snapshot shows a nested subvolume it did not capture as an empty directory with inode 2
   * (BTRFS_EMPTY_SUBVOL_DIR_OBJECTID). It has no inode item: the kernel fabricates it and stamps
   * mtime/ctime with the time of the lookup, so two kernel mounts already disagree. Only those two
   * fields of only such entries are dropped, on both sides.
   */
  private static final Set<String> FABRICATED_TIMES = Set.of("mtime", "ctime");

  private static boolean emptySubvolumeStub(Map<String, String> e) {
    String ino = e.get("ino");
    return ("2".equals(ino) || "nested:2".equals(ino)) && "dir".equals(e.get("type"));
  }

  private static final boolean KERNEL_ONLY = Boolean.getBoolean("jbtrfs.oracle.kernelOnly");

  /** One way of mounting: options plus the image files handed to the mounter. */
  record Variant(String label, String options, List<Path> images, String referenceOptions) {}

  @BeforeAll
  static void environment() {
    Environment.requireOracleHost();
  }

  /** All configurations, or only those in -Djbtrfs.oracle.configs=a,b (for quick runs). */
  static Stream<String> configs() {
    String only = System.getProperty("jbtrfs.oracle.configs", "").trim();
    List<String> all = ImageSet.configs();
    if (only.isEmpty()) {
      return all.stream();
    }
    List<String> wanted = List.of(only.split(","));
    for (String w : wanted) {
      if (!all.contains(w)) {
        throw new IllegalArgumentException("unknown oracle config " + w + "; known: " + all);
      }
    }
    return wanted.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void jbtrfsShowsWhatTheKernelShows(String config, @TempDir Path dir) {
    long start = System.nanoTime();
    List<Path> images = ImageSet.build(config, dir.resolve("img"));
    Map<String, Manifest> reference = new LinkedHashMap<>();
    List<Variant> variants = new ArrayList<>();

    try (Loop loop = Loop.attach(images)) {
      try (KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("kernel"), "")) {
        reference.put("", ManifestReader.read(k.path()));
        variants.addAll(variants(config, images, k.path()));
      }
      for (Variant v : variants) {
        if (!reference.containsKey(v.referenceOptions())) {
          try (KernelMount k =
              KernelMount.mount(loop.devices(), dir.resolve("kernel"), v.referenceOptions())) {
            reference.put(v.referenceOptions(), ManifestReader.read(k.path()));
          }
        }
      }
    }
    for (Map.Entry<String, Manifest> e : reference.entrySet()) {
      if (!e.getValue().errors().isEmpty()) {
        fail("kernel reference [" + e.getKey() + "] had read errors: " + e.getValue().errors());
      }
    }

    List<String> failures = new ArrayList<>();
    for (Variant v : variants) {
      try {
        Manifest actual = readActual(v, dir.resolve("actual"));
        List<String> diffs =
            Manifest.diff(
                reference
                    .get(v.referenceOptions())
                    .withoutFields(OracleReadTest::emptySubvolumeStub, FABRICATED_TIMES),
                actual.withoutFields(OracleReadTest::emptySubvolumeStub, FABRICATED_TIMES),
                IGNORED);
        if (!diffs.isEmpty()) {
          failures.add(v.label() + ": " + Manifest.report(diffs, 50));
        }
      } catch (RuntimeException | AssertionError e) {
        failures.add(v.label() + ": " + e);
      }
    }
    System.out.printf(
        "oracle %s: %d variant(s), %d entries, %.1fs%s%n",
        config,
        variants.size(),
        reference.get("").entries().size(),
        (System.nanoTime() - start) / 1e9,
        KERNEL_ONLY ? " (kernelOnly)" : "");
    if (!failures.isEmpty()) {
      fail(
          config
              + (KERNEL_ONLY ? " (kernelOnly)" : "")
              + ": "
              + failures.size()
              + " of "
              + variants.size()
              + " variant(s) failed or differ from the kernel\n"
              + String.join("\n", failures));
    }
  }

  /** Mount variants of a configuration; kernelMount is a full kernel mount of it. */
  private static List<Variant> variants(String config, List<Path> images, Path kernelMount) {
    List<Variant> v = new ArrayList<>();
    v.add(new Variant("all devices", "", images, ""));
    if (config.equals("subvolumes")) {
      String sv1 = rootId(kernelMount.resolve("sv1"));
      String snapRo = rootId(kernelMount.resolve("snap-ro"));
      for (String o :
          List.of(
              "subvol=sv1",
              "subvol=/sv1/inner",
              "subvol=snap1",
              "subvolid=" + sv1,
              "subvolid=" + snapRo,
              "subvolid=5")) {
        v.add(new Variant(o, o, images, o));
      }
    }
    int missing = ImageSet.toleratedMissingDevices(config);
    if (missing > 0) {
      // Leave out the last devices, then the first ones (devid 1 included), so
      // a reader that leans on devid 1 or on one mirror's position is caught.
      // The reference is the complete filesystem: nothing may be lost.
      int n = images.size();
      v.add(
          new Variant(
              "degraded without last " + missing, "degraded", images.subList(0, n - missing), ""));
      v.add(
          new Variant(
              "degraded without first " + missing, "degraded", images.subList(missing, n), ""));
    }
    return v;
  }

  private static String rootId(Path subvolume) {
    return Cmd.run(List.of("btrfs", "inspect-internal", "rootid", subvolume.toString()))
        .check()
        .out()
        .trim();
  }

  private static Manifest readActual(Variant v, Path mountPoint) {
    if (KERNEL_ONLY) {
      try (Loop loop = Loop.attach(v.images());
          KernelMount k = KernelMount.mount(loop.devices(), mountPoint, v.options())) {
        return ManifestReader.read(k.path());
      }
    }
    try (FuseMount f = FuseMount.mount(v.images(), mountPoint, v.options())) {
      return ManifestReader.read(f.path());
    }
  }
}
