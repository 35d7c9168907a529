package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Placement;
import org.jbtrfs.volume.StoredCopies;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The error counters a mount keeps, against the kernel: data sectors damaged on the copy a read
 * tries first are counted as corruption errors on that copy's device, and a device read that fails
 * as a read error, as the kernel counts them. A live mount shows them through the kernel's ioctls
 * (our `device stats MOUNTPOINT`, which prints what `btrfs device stats` prints of a kernel mount),
 * the commit writes them to the device tree, and a kernel mount then shows the same numbers. A
 * read-only mount counts but writes nothing; `device stats -z` on a live mount zeroes them.
 */
class DeviceErrorCountersTest {
  private static final int DAMAGED = 24;

  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @Test
  void checksumFailuresAreCountedLiveAndTheKernelShowsTheSameNumbers() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "stats",
            256L << 20,
            2,
            List.of("-m", "raid1", "-d", "raid1"),
            ScrubRepairTest.populate());
    Manifest before = ScrubRepairTest.kernelManifest(dir, img, "stats.before");
    Random rnd = new Random(215);
    List<ScrubTargets.Target> targets;
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      targets = ScrubTargets.pickFirstCopies(fs, 0, DAMAGED, rnd, Set.of(ObjectIds.FS_TREE));
    }
    assertThat(targets).hasSize(DAMAGED);
    long[] expected = new long[2];
    for (ScrubTargets.Target t : targets) {
      ScrubRepairTest.damage(img.device(t.devid()), t, rnd);
      expected[(int) t.devid() - 1]++;
    }

    // Read-only: counted while mounted, written nowhere.
    Path ro = dir.resolve("ro");
    Files.createDirectories(ro);
    try (RwFuseMount m = RwFuseMount.mount(img.devices(), ro, "ro")) {
      List<String> diff = Manifest.diff(before, ManifestReader.read(m.path()), Set.of("atime"));
      assertThat(diff).as(Manifest.report(diff, 20)).isEmpty();
      assertThat(corruption(live(m.path()), img)).as("live, read-only").isEqualTo(expected);
    }
    assertThat(corruption(offline(img), img)).as("after the read-only mount").containsOnly(0L);

    // Read-write: counted, repaired, and committed.
    Path rw = dir.resolve("rw");
    Files.createDirectories(rw);
    try (RwFuseMount m = RwFuseMount.mount(img.devices(), rw, "")) {
      List<String> diff = Manifest.diff(before, ManifestReader.read(m.path()), Set.of("atime"));
      assertThat(diff).as(Manifest.report(diff, 20)).isEmpty();
      assertThat(corruption(live(m.path()), img)).as("live, read-write").isEqualTo(expected);
    }
    assertThat(corruption(offline(img), img)).as("after unmount").isEqualTo(expected);

    try (Loop loop = Loop.attach(img.devices())) {
      try (KernelMount k = KernelMount.mountReadWrite(loop.devices(), dir.resolve("kernel"))) {
        String kernel =
            Cmd.run(List.of("btrfs", "device", "stats", k.path().toString())).check().out();
        for (int i = 0; i < 2; i++) {
          assertThat(kernel)
              .as(kernel)
              .contains("[" + loop.devices().get(i) + "].corruption_errs  " + expected[i]);
        }
        // Our command asks a kernel mount the same ioctls and prints what btrfs-progs prints.
        ScrubRepairTest.Run ours = ScrubRepairTest.jbtrfs("device", "stats", k.path().toString());
        assertThat(ours.out()).as(ours.all()).isEqualTo(kernel);
      }
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the counters were written");
    }

    // -z on a live mount prints the counters, zeroes them, and the commit writes the zeros.
    try (RwFuseMount m = RwFuseMount.mount(img.devices(), rw, "")) {
      ScrubRepairTest.Run z = ScrubRepairTest.jbtrfs("device", "stats", "-z", m.path().toString());
      assertThat(corruption(parse(z.out()), img)).as(z.all()).isEqualTo(expected);
      assertThat(corruption(live(m.path()), img)).as("live after -z").containsOnly(0L);
    }
    ScrubRepairTest.Run check =
        ScrubRepairTest.jbtrfs(ScrubRepairTest.args(img.devices(), "device", "stats", "-c"));
    assertThat(check.rc()).as(check.all()).isZero();
    try (Loop loop = Loop.attach(img.devices())) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after device stats -z");
    }
  }

  @Test
  void failedDeviceReadsOfAMountAreCountedAndCommitted() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "eio",
            256L << 20,
            2,
            List.of("-m", "raid1", "-d", "raid1"),
            "head -c 262144 /dev/urandom > f && sync");
    byte[] want;
    long physical;
    long firstDevid;
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      want = CorruptionTest.readPath(fs, "f");
      String dump = img.inspect("dump-tree", "-t", "5");
      long logical = ScrubRepairTest.diskBytenr(dump, DumpText.inodeOf(dump, 256, "f"));
      ChunkMapping c = fs.chunks().lookup(logical);
      // The copy a read tries first gets the bad medium, so every read of f meets it.
      Placement p = StoredCopies.placements(c, logical, want.length, 0).get(0);
      physical = p.physical();
      firstDevid = p.devid();
    }
    String bad = img.device(firstDevid).toString();
    UnreadableRange[] faulty = new UnreadableRange[1];
    try (EngineMount m =
        EngineMount.open(
            img.devices(),
            d ->
                d.name().equals(bad)
                    ? (faulty[0] = new UnreadableRange(d, physical, physical + want.length))
                    : d)) {
      assertThat(CorruptionTest.readPath(m.fs, "f")).isEqualTo(want);
    }
    int failed = faulty[0].failedReads();
    assertThat(failed).as("the injected errors were hit").isPositive();
    Map<String, long[]> after = offline(img);
    assertThat(after.get(bad)[1]).as("read_io_errs of " + bad).isEqualTo(failed);
    assertThat(after.get(img.device(3 - firstDevid).toString())).containsOnly(0L);

    try (Loop loop = Loop.attach(img.devices());
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), dir.resolve("eio.kernel"))) {
      String kernel =
          Cmd.run(List.of("btrfs", "device", "stats", k.path().toString())).check().out();
      String kbad = loop.devices().get((int) firstDevid - 1);
      assertThat(kernel).as(kernel).contains("[" + kbad + "].read_io_errs     " + failed);
      assertThat(Files.readAllBytes(k.path().resolve("f"))).isEqualTo(want);
    }
  }

  /** Counters by device path, from `jbtrfs device stats MOUNTPOINT`. */
  private static Map<String, long[]> live(Path mnt) {
    ScrubRepairTest.Run r = ScrubRepairTest.jbtrfs("device", "stats", mnt.toString());
    assertThat(r.rc()).as(r.all()).isZero();
    return parse(r.out());
  }

  /** Counters by device path, from `jbtrfs device stats IMAGE...`. */
  private static Map<String, long[]> offline(ScratchImage img) {
    ScrubRepairTest.Run r =
        ScrubRepairTest.jbtrfs(ScrubRepairTest.args(img.devices(), "device", "stats"));
    assertThat(r.rc()).as(r.all()).isZero();
    return parse(r.out());
  }

  private static final Pattern LINE =
      Pattern.compile(
          "^\\[(.*)\\]\\.(write_io|read_io|flush_io|corruption|generation)_errs +(\\d+)$");

  private static final List<String> ORDER =
      List.of("write_io", "read_io", "flush_io", "corruption", "generation");

  static Map<String, long[]> parse(String out) {
    Map<String, long[]> m = new TreeMap<>();
    for (String line : out.split("\n")) {
      Matcher x = LINE.matcher(line);
      if (!x.matches()) continue;
      m.computeIfAbsent(x.group(1), k -> new long[5])[ORDER.indexOf(x.group(2))] =
          Long.parseLong(x.group(3));
    }
    return m;
  }

  /** corruption_errs of devid 1 and 2, in that order. */
  private static long[] corruption(Map<String, long[]> stats, ScratchImage img) {
    List<Long> out = new ArrayList<>();
    for (int devid = 1; devid <= 2; devid++) {
      long[] v = stats.get(img.device(devid).toString());
      assertThat(v).as("counters of devid %d in %s", devid, stats.keySet()).isNotNull();
      out.add(v[3]);
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }
}
