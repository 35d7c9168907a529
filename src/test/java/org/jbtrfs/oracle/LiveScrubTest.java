package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scrub of a live read-write mount while a workload writes and deletes files through it, against
 * the kernel: tree blocks and data sectors damaged on one device of a kernel-filled RAID1 are all
 * found and repaired, across a cancel and a resume, at a rate limit; the workload's files read back
 * as written; afterwards the kernel's scrub finds nothing, btrfs check is clean, the kernel reads
 * what the kernel wrote, and the device counters the scrub raised are what the kernel shows.
 */
class LiveScrubTest {
  private static final int METADATA = 12;
  private static final int DATA = 120;

  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @Test
  void repairsEverythingWhileTheMountIsInUseAcrossCancelAndResume() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "live",
            320L << 20,
            2,
            List.of("-m", "raid1", "-d", "raid1"),
            ScrubRepairTest.populate() + "mkdir work\n");
    Manifest before = ScrubRepairTest.kernelManifest(dir, img, "before");
    Random rnd = new Random(2026);
    long expected;
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      List<ScrubTargets.Target> targets = ScrubTargets.pick(fs, 2, METADATA, DATA, rnd);
      for (ScrubTargets.Target t : targets) ScrubRepairTest.damage(img.device(2), t, rnd);
      expected = (long) METADATA * (fs.superblock().nodeSize() / fs.sectorSize()) + DATA;
    }

    Path mnt = dir.resolve("mnt");
    Files.createDirectories(mnt);
    Map<String, byte[]> written = new ConcurrentHashMap<>();
    try (RwFuseMount m = RwFuseMount.mount(img.devices(), mnt, "")) {
      String at = m.path().toString();
      ScrubRepairTest.Run idle = ScrubRepairTest.jbtrfs("scrub", "cancel", at);
      assertThat(idle.rc()).as(idle.all()).isEqualTo(2);
      assertThat(ScrubRepairTest.jbtrfs("scrub", "resume", at).rc()).isEqualTo(2);

      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread workload =
          new Thread(() -> ChurnWorkload.run(m.path().resolve("work"), written, stop, failed));
      workload.start();
      try {
        ScrubRepairTest.Run start = ScrubRepairTest.jbtrfs("scrub", "start", "--limit", "8m", at);
        assertThat(start.out()).as(start.all()).contains("scrub started on " + at);
        ScrubRepairTest.Run twice = ScrubRepairTest.jbtrfs("scrub", "start", at);
        assertThat(twice.err()).as(twice.all()).contains("already running");
        // A scrub and a device replace run one at a time.
        Path spare = dir.resolve("spare.img");
        Loop.createSparse(spare, 320L << 20);
        ScrubRepairTest.Run replace =
            ScrubRepairTest.jbtrfs("replace", "start", "2", spare.toString(), at);
        assertThat(replace.err()).as(replace.all()).contains("a scrub is running");
        Thread.sleep(2500);
        ScrubRepairTest.Run running = ScrubRepairTest.jbtrfs("scrub", "status", at);
        assertThat(running.out()).as(running.all()).contains("Status:           running");
        assertThat(running.out()).contains("Time left:").contains("ETA:");
        double share =
            Double.parseDouble(field(running.out(), "Bytes scrubbed:.*\\(([0-9.]+)%\\)"));
        assertThat(share).as(running.out()).isBetween(0.0, 99.9);
        assertThat(ScrubRepairTest.jbtrfs("scrub", "cancel", at).out()).contains("cancelled");
        ScrubRepairTest.Run aborted = ScrubRepairTest.jbtrfs("scrub", "status", at);
        assertThat(aborted.out()).as(aborted.all()).contains("Status:           aborted");

        ScrubRepairTest.Run resumed =
            ScrubRepairTest.jbtrfs("scrub", "resume", "-B", "--limit", "64m", at);
        assertThat(resumed.rc()).as(resumed.all()).isZero();
        assertThat(resumed.out()).contains("Status:           finished");
        assertThat(ScrubRepairTest.field(resumed.out(), "Error summary:\\s+csum=(\\d+)"))
            .as(resumed.all())
            .isEqualTo(expected);
        assertThat(ScrubRepairTest.field(resumed.out(), "Corrected:\\s+(\\d+)"))
            .isEqualTo(expected);
        assertThat(ScrubRepairTest.field(resumed.out(), "Uncorrectable:\\s+(\\d+)")).isZero();

        ScrubRepairTest.Run again = ScrubRepairTest.jbtrfs("scrub", "start", "-B", "-r", at);
        assertThat(again.out()).as(again.all()).contains("Error summary:    no errors found");
      } finally {
        stop.set(true);
        workload.join();
      }
      assertThat(failed.get()).as("the workload during the scrub").isNull();
      assertThat(written).as("files the workload kept").isNotEmpty();
      for (Map.Entry<String, byte[]> e : written.entrySet()) {
        assertThat(Files.readAllBytes(m.path().resolve("work").resolve(e.getKey())))
            .as("work/" + e.getKey())
            .isEqualTo(e.getValue());
      }
      Map<String, long[]> live = DeviceErrorCountersTest.parse(devStats(at));
      assertThat(live.get(img.device(2).toString())[3]).as("corruption_errs").isEqualTo(expected);
    }

    try (Loop loop = Loop.attach(img.devices())) {
      try (KernelMount k = KernelMount.mountReadWrite(loop.devices(), dir.resolve("kernel"))) {
        k.assertScrubClean();
        String kstats =
            Cmd.run(List.of("btrfs", "device", "stats", k.path().toString())).check().out();
        assertThat(kstats).contains("[" + loop.devices().get(1) + "].corruption_errs  " + expected);
        List<String> diff = new ArrayList<>();
        for (String d : Manifest.diff(before, ManifestReader.read(k.path()), Set.of("atime"))) {
          if (!d.replaceFirst("^[\"/]+", "").startsWith("work")) diff.add(d);
        }
        assertThat(diff).as(Manifest.report(diff, 20)).isEmpty();
        for (Map.Entry<String, byte[]> e : written.entrySet()) {
          assertThat(Files.readAllBytes(k.path().resolve("work").resolve(e.getKey())))
              .as("kernel reads work/" + e.getKey())
              .isEqualTo(e.getValue());
        }
      }
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the live scrub");
    }
  }

  private static String devStats(String at) {
    ScrubRepairTest.Run r = ScrubRepairTest.jbtrfs("device", "stats", at);
    assertThat(r.rc()).as(r.all()).isZero();
    return r.out();
  }

  private static String field(String out, String regex) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(regex).matcher(out);
    if (!m.find()) throw new AssertionError("no " + regex + " in:\n" + out);
    return m.group(1);
  }
}
