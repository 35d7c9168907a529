package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jbtrfs.cli.ReplaceCommand;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The recovery runbook with jbtrfs alone, against the kernel: a disk of a kernel-filled RAID1,
 * RAID5, RAID6 or RAID10 filesystem dies (its image is deleted); the filesystem is mounted `-o
 * degraded` read-write and a workload writes, fsyncs and deletes files; while it goes on, `replace
 * start` rebuilds the dead device onto a fresh image (a larger one, grown afterwards with
 * `filesystem resize DEVID:max`); then our scrub finds nothing, the workload's files read back, and
 * after unmounting the kernel, mounting without degraded, reads exactly what jbtrfs showed, its
 * scrub finds nothing and btrfs check is clean. Also: a kill -9 during a replace leaves the
 * filesystem as it was (the replace not done, as if cancelled), and bad targets are refused before
 * anything is written.
 */
class ReplaceRunbookTest {
  /** How long the workload runs beside the replace (the runbook says a minute). */
  private static final long WORKLOAD_MS = Long.getLong("replace.workloadMillis", 6000);

  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @ParameterizedTest(name = "-d {0}, {1} devices, devid {1} dies")
  @CsvSource({"raid1,2", "raid5,3", "raid6,4", "raid10,4"})
  void aDeadDiskIsReplacedWhileTheFilesystemIsInUse(String profile, int ndev) throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            profile,
            320L << 20,
            ndev,
            List.of("-d", profile, "-m", profile.equals("raid1") ? "raid1" : profile),
            ScrubRepairTest.populate() + "mkdir work\n");
    List<Path> present = new ArrayList<>(img.devices());
    Path dead = present.remove(ndev - 1);
    Files.delete(dead);
    Path fresh = dir.resolve("fresh.img");
    Loop.createSparse(fresh, 384L << 20);

    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Map<String, byte[]> written = new ConcurrentHashMap<>();
    Manifest shown;
    try (RwFuseMount m = RwFuseMount.mount(present, mnt, "degraded")) {
      String at = m.path().toString();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      Thread workload =
          new Thread(() -> ChurnWorkload.run(m.path().resolve("work"), written, stop, failed));
      workload.start();
      long t0 = System.currentTimeMillis();
      try {
        Thread.sleep(WORKLOAD_MS / 3);
        ScrubRepairTest.Run start =
            ScrubRepairTest.jbtrfs(
                "replace", "start", Integer.toString(ndev), fresh.toString(), at);
        assertThat(start.rc()).as(start.all()).isZero();
        ReplaceCommand.Replace s;
        while ((s = ReplaceCommand.status(m.path())).state().equals("started")) Thread.sleep(100);
        assertThat(s.state()).as(s.toString()).isEqualTo("finished");
        assertThat(s.done()).isEqualTo(s.total()).isPositive();
        Thread.sleep(Math.max(0, WORKLOAD_MS - (System.currentTimeMillis() - t0)));
      } finally {
        stop.set(true);
        workload.join();
      }
      assertThat(failed.get()).as("the workload during the replace").isNull();

      ScrubRepairTest.Run grow = ScrubRepairTest.jbtrfs("filesystem", "resize", ndev + ":max", at);
      assertThat(grow.rc()).as(grow.all()).isZero();
      ScrubRepairTest.Run scrub = ScrubRepairTest.jbtrfs("scrub", "start", "-B", at);
      assertThat(scrub.out()).as(scrub.all()).contains("Error summary:    no errors found");
      for (Map.Entry<String, byte[]> e : written.entrySet()) {
        assertThat(Files.readAllBytes(m.path().resolve("work").resolve(e.getKey())))
            .as("work/" + e.getKey())
            .isEqualTo(e.getValue());
      }
      shown = ManifestReader.read(m.path());
    }

    List<Path> after = new ArrayList<>(present);
    after.add(fresh);
    try (Loop loop = Loop.attach(after)) {
      String show =
          KernelMount.assertReadsBack(loop, dir.resolve("kernel"), shown, "after the replace");
      assertThat(show)
          .as(show)
          .containsPattern(
              "devid +" + ndev + " size 384\\.00MiB .* path " + loop.devices().get(ndev - 1));
    }
  }

  @Test
  void aKillDuringTheReplaceLeavesTheFilesystemAsItWas() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "kill",
            768L << 20,
            2,
            List.of("-d", "raid1", "-m", "raid1"),
            "head -c 400000000 /dev/urandom > big && sync");
    Manifest before = ScrubRepairTest.kernelManifest(dir, img, "before");
    Path fresh = dir.resolve("fresh.img");
    Loop.createSparse(fresh, 768L << 20);
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    String state;
    try (RwFuseMount m = RwFuseMount.mount(img.devices(), mnt, "")) {
      ScrubRepairTest.Run start =
          ScrubRepairTest.jbtrfs("replace", "start", "2", fresh.toString(), m.path().toString());
      assertThat(start.rc()).as(start.all()).isZero();
      state = ReplaceCommand.status(m.path()).state();
      m.kill9();
    }
    System.out.println("replace state when killed: " + state);
    assertThat(DeviceProbe.holdsBtrfs(fresh))
        .as("the unfinished target looks like a member")
        .isFalse();
    try (Loop loop = Loop.attach(img.devices())) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after a kill during the replace");
      try (KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("k"), "")) {
        List<String> d = Manifest.diff(before, ManifestReader.read(k.path()), Set.of("atime"));
        assertThat(d).as(Manifest.report(d, 20)).isEmpty();
      }
    }
    // And the next jbtrfs mount is an ordinary one, with the source: no replace runs.
    try (RwFuseMount m = RwFuseMount.mount(img.devices(), mnt, "")) {
      assertThat(ReplaceCommand.status(m.path()).state()).isEqualTo("never started");
    }
  }

  @Test
  void badTargetsAreRefusedBeforeAnythingIsWritten() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "bad",
            256L << 20,
            2,
            List.of("-d", "raid1", "-m", "raid1"),
            "head -c 1000000 /dev/urandom > f && sync");
    Path small = dir.resolve("small.img");
    Loop.createSparse(small, 128L << 20);
    Path other = dir.resolve("other.img");
    Loop.createSparse(other, 256L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", other.toString())).check();
    byte[] otherBefore = Files.readAllBytes(other);
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    try (RwFuseMount m = RwFuseMount.mount(img.devices(), mnt, "")) {
      String at = m.path().toString();
      ScrubRepairTest.Run tooSmall =
          ScrubRepairTest.jbtrfs("replace", "start", "2", small.toString(), at);
      assertThat(tooSmall.rc()).isNotZero();
      assertThat(tooSmall.err()).as(tooSmall.all()).contains("smaller than the source");
      assertThat(Files.readAllBytes(small)).as("the small target").containsOnly(0);

      ScrubRepairTest.Run existing =
          ScrubRepairTest.jbtrfs("replace", "start", "2", other.toString(), at);
      assertThat(existing.err()).as(existing.all()).contains("holds a btrfs filesystem");
      assertThat(Files.readAllBytes(other)).isEqualTo(otherBefore);

      ScrubRepairTest.Run member =
          ScrubRepairTest.jbtrfs("replace", "start", "2", img.device(1).toString(), at);
      assertThat(member.rc()).as(member.all()).isNotZero();
      assertThat(member.err()).as(member.all()).contains("in use");

      try (Loop loop = Loop.attach(List.of(other));
          KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("k"), "")) {
        ScrubRepairTest.Run mounted =
            ScrubRepairTest.jbtrfs("replace", "start", "-f", "2", other.toString(), at);
        assertThat(mounted.err()).as(mounted.all()).contains("in use by the kernel");
      }
      assertThat(Files.readAllBytes(other)).isEqualTo(otherBefore);
      assertThat(ReplaceCommand.status(m.path()).state()).isEqualTo("never started");
      ScrubRepairTest.Run cancel = ScrubRepairTest.jbtrfs("replace", "cancel", at);
      assertThat(cancel.out()).as(cancel.all()).contains("not started");

      // A finished replace's target stays this mount's: nothing else may take it.
      Path fresh = dir.resolve("fresh.img");
      Loop.createSparse(fresh, 256L << 20);
      // The same devices as they are now, for the kernel to replace devid 2 of them too.
      commitAndCopy(m.path(), img, dir.resolve("kernel"));
      ScrubRepairTest.Run done =
          ScrubRepairTest.jbtrfs("replace", "start", "-B", "2", fresh.toString(), at);
      assertThat(done.rc()).as(done.all()).isZero();
      assertThat(done.out()).contains("finished on");
      ScrubRepairTest.Run offline =
          ScrubRepairTest.jbtrfs(
              "scrub", "start", "-B", img.device(1).toString(), fresh.toString());
      assertThat(offline.rc()).as(offline.all()).isNotZero();
      assertThat(offline.all()).contains("in use");
      assertThat(DeviceProbe.holdsBtrfs(img.device(2))).as("the replaced source").isFalse();
    }
    // The kernel's replace of the same devid on the same devices leaves the same superblock on
    // its target: devid, uuid, size, and the filesystem's device count and size (not bytes used:
    // the kernel may add a chunk while it marks block groups read-only for its copy).
    Path k1 = dir.resolve("kernel").resolve("dev1.img");
    Path k2 = dir.resolve("kernel").resolve("dev2.img");
    Path kt = dir.resolve("kernel").resolve("target.img");
    Loop.createSparse(kt, 256L << 20);
    try (Loop loop = Loop.attach(List.of(k1, k2, kt))) {
      try (KernelMount k =
          KernelMount.mountReadWrite(loop.devices().subList(0, 2), dir.resolve("kmnt"))) {
        Cmd.run(
                List.of(
                    "btrfs",
                    "replace",
                    "start",
                    "-B",
                    "2",
                    loop.devices().get(2),
                    k.path().toString()))
            .check();
      }
    }
    assertThat(superFields(dir.resolve("fresh.img")))
        .as("our target's superblock against the kernel's target's")
        .isEqualTo(superFields(kt));
    assertThat(DeviceProbe.holdsBtrfs(k2)).as("the kernel's replaced source").isFalse();
  }

  /** Commits what the mount holds and copies its device images into {@code to}. */
  private static void commitAndCopy(Path mnt, ScratchImage img, Path to) throws Exception {
    Cmd.run(List.of("sync", "-f", mnt.toString())).check();
    Files.createDirectories(to);
    for (int i = 1; i <= 2; i++) {
      Cmd.run(
              List.of(
                  "cp",
                  "--sparse=always",
                  img.device(i).toString(),
                  to.resolve("dev" + i + ".img").toString()))
          .check();
    }
  }

  /** The superblock fields a replace decides, from btrfs-progs' dump-super. */
  private static List<String> superFields(Path device) {
    return DeviceProbe.superFields(
        device,
        "^(dev_item\\.(devid|uuid|total_bytes|fsid)|num_devices|total_bytes|fsid|magic)\\s.*");
  }
}
