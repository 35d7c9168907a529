package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Stripe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Degraded read-write, against the kernel: a kernel-filled redundant filesystem with one device
 * left out is mounted `-o degraded` read-write and a workload writes through it (new files, big
 * files overwritten in place, so RAID5/6 rows are read with a strip missing and written back,
 * O_DIRECT, preallocation, truncation, deletion). What it shows equals the local copy of the
 * workload, and a degraded kernel mount of the same devices reads the same. New chunks keep off the
 * missing device with the profile the kernel picks then (its profile if the present devices allow
 * it, else single: measured with the kernel's own degraded mount of a two-device RAID1). Then the
 * device comes back: our scrub repairs every stale copy on it, after which the kernel's scrub of
 * all devices finds nothing, btrfs check is clean, and the kernel reads what jbtrfs showed.
 */
class DegradedWriteTest {
  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  /** {4}: the profile of data chunks made while degraded; {5}: MiB written to need some. */
  @ParameterizedTest(name = "-d {0} -m {1}, {2} devices, devid {3} missing: new chunks {4}")
  @CsvSource({
    "raid1,raid1,3,3,RAID1,200",
    "raid1,raid1,2,2,SINGLE,200",
    "raid10,raid10,4,4,RAID10,360",
    "raid5,raid1,3,2,RAID5,200",
    "raid6,raid1c3,4,1,RAID6,200"
  })
  void writesWithADeviceMissingAndTheDeviceComesBack(
      String data, String meta, int ndev, int missing, String newData, int fillMiB)
      throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            data,
            384L << 20,
            ndev,
            List.of("-d", data, "-m", meta),
            "head -c 3000000 /dev/urandom > before && mkdir d && for i in $(seq 1 200); do head -c"
                + " $((i * 97)) /dev/urandom > d/f$i; done && sync");
    List<Path> present = new ArrayList<>(img.devices());
    present.remove(missing - 1);
    long chunksEnd;
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      chunksEnd = fs.chunks().end();
    }

    Path local = Files.createDirectories(dir.resolve("expected"));
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Manifest shown;
    try (RwFuseMount m = RwFuseMount.mount(present, mnt, "degraded,noatime")) {
      long windowStart = System.currentTimeMillis() / 1000 - 1;
      Path work = Files.createDirectories(mnt.resolve("w"));
      MountTwin ops = new MountTwin(work, local);
      ops.mkdirs("big");
      FuseDataWorkload.bigFiles(ops.under("big"), 23);
      ops.mkdirs("small");
      FuseDataWorkload.smallFiles(ops.under("small"), 600, 29);
      Files.delete(mnt.resolve("before"));
      // More than the chunks mkfs made hold, so that chunks are allocated while degraded.
      ops.create("fill", new byte[0]);
      java.util.SplittableRandom r = new java.util.SplittableRandom(31);
      for (int i = 0; i < fillMiB / 8; i++) {
        byte[] piece = new byte[8 << 20];
        for (int k = 0; k < piece.length; k += 8) {
          long v = r.nextLong();
          for (int b = 0; b < 8; b++) piece[k + b] = (byte) (v >>> (8 * b));
        }
        ops.write("fill", (long) i * piece.length, piece);
      }
      List<String> d = LocalVsImage.diff(local, work, ops.stamped(), windowStart);
      assertThat(d).as("the degraded mount against the workload's local copy").isEmpty();
      shown = ManifestReader.read(mnt);
    }

    // Where the new chunks went, and with which profile.
    Set<String> newProfiles = new TreeSet<>();
    try (Filesystem fs =
        Filesystem.open(present, MountOptions.readOnlyDefaults().withDegraded(true))) {
      for (ChunkMapping c : fs.chunks().all()) {
        if (c.logical() < chunksEnd) continue;
        for (Stripe s : c.stripes()) {
          assertThat(s.devid())
              .as("a new chunk at %d on the missing device", c.logical())
              .isNotEqualTo(missing);
        }
        if ((c.typeFlags() & 1) != 0) newProfiles.add(c.profile().displayName().toUpperCase());
      }
    }
    assertThat(newProfiles)
        .as("profiles of the data chunks made while degraded")
        .containsOnly(newData);

    try (Loop loop = Loop.attach(present);
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("kdeg"), "degraded")) {
      List<String> d = Manifest.diff(shown, ManifestReader.read(k.path()), Set.of("atime"));
      assertThat(d).as("a degraded kernel mount: " + Manifest.report(d, 20)).isEmpty();
    }

    // The device is back, stale: our scrub brings every copy on it up to date.
    ScrubRepairTest.Run scrub =
        ScrubRepairTest.jbtrfs(ScrubRepairTest.args(img.devices(), "scrub", "start", "-B"));
    assertThat(scrub.rc()).as(scrub.all()).isZero();
    System.out.println(data + " on " + ndev + ", devid " + missing + " back: " + scrub.out());
    // The stale device has at least its superblock and the tree blocks rewritten meanwhile wrong.
    assertThat(scrub.out()).as(scrub.all()).doesNotContain("no errors found");
    assertThat(ScrubRepairTest.field(scrub.out(), "Uncorrectable:\\s+(\\d+)")).isZero();
    assertThat(ScrubRepairTest.field(scrub.out(), "Corrected:\\s+(\\d+)")).isPositive();
    try (Loop loop = Loop.attach(img.devices())) {
      try (KernelMount k = KernelMount.mountReadWrite(loop.devices(), dir.resolve("kall"))) {
        k.assertScrubClean();
        List<String> d = Manifest.diff(shown, ManifestReader.read(k.path()), Set.of("atime"));
        assertThat(d).as(Manifest.report(d, 20)).isEmpty();
      }
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the device came back");
    }
  }

  /** A chunk with more stripes missing than its profile tolerates keeps the mount read-only. */
  @Test
  void aChunkWithoutEnoughDevicesRefusesReadWrite() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "raid0",
            256L << 20,
            2,
            List.of("-d", "raid0", "-m", "raid1"),
            "head -c 1000000 /dev/urandom > f && sync");
    List<Path> present = List.of(img.device(1));
    byte[] before = Files.readAllBytes(img.device(1));
    Throwable refusal = null;
    try (Filesystem fs =
        Filesystem.open(
            present, MountOptions.readOnlyDefaults().withReadOnly(false).withDegraded(true))) {
      try {
        org.jbtrfs.txn.WriteEngine.open(fs);
      } catch (java.io.IOException e) {
        refusal = e;
      }
    }
    assertThat(refusal).as("opening a writer").isNotNull();
    assertThat(refusal.getMessage())
        .contains("writable mount is not allowed due to too many missing devices")
        .contains("raid0");
    assertThat(Files.readAllBytes(img.device(1))).as("the present device").isEqualTo(before);
  }
}
