package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `device remove`, against the kernel: from a kernel-filled three-device RAID1 (with a snapshot),
 * one device removed offline and another added back then removed through a live mount while files
 * are written; after each the kernel mounts the devices left, reads exactly what was there, scrubs
 * clean, counts them in `filesystem show`, and btrfs check is clean; the removed device no longer
 * carries a btrfs superblock. Going below RAID1's two devices is refused with nothing written.
 */
class DeviceRemoveTest {
  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @Test
  void removeOfflineThenLiveAndTheKernelAgrees() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "rm",
            500L << 20,
            3,
            List.of("-d", "raid1", "-m", "raid1"),
            "for i in $(seq 1 25); do head -c 3000000 /dev/urandom > f$i; done && btrfs -q"
                + " subvolume snapshot . snap && rm f2 f9 && head -c 500000 /dev/urandom >"
                + " snap/extra && sync");
    List<Path> devs = img.devices();
    Manifest before;
    try (Loop loop = Loop.attach(devs);
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("k0"), "")) {
      before = ManifestReader.read(k.path());
    }
    ScrubRepairTest.Run rm =
        ScrubRepairTest.jbtrfs(
            "device",
            "remove",
            devs.get(2).toString(),
            devs.get(0).toString(),
            "--device",
            devs.get(1).toString(),
            "--device",
            devs.get(2).toString());
    assertThat(rm.rc()).as(rm.all()).isZero();
    Cmd.Result probe = Cmd.run(List.of("blkid", "-p", devs.get(2).toString()));
    assertThat(probe.out() + probe.stderr())
        .as("blkid of the removed device finds no filesystem")
        .doesNotContain("btrfs");
    List<Path> two = devs.subList(0, 2);
    try (Loop loop = Loop.attach(two)) {
      String show = KernelMount.assertReadsBack(loop, dir.resolve("k1"), before, "after remove");
      assertThat(show).contains("Total devices 2");
    }

    // Below raid1's minimum: refused, nothing written.
    byte[] first = Files.readAllBytes(two.get(0));
    ScrubRepairTest.Run tooFew =
        ScrubRepairTest.jbtrfs(
            "device", "remove", "2", two.get(0).toString(), "--device", two.get(1).toString());
    assertThat(tooFew.rc()).as(tooFew.all()).isNotZero();
    assertThat(tooFew.err()).contains("unable to go below 2 devices on raid1");
    assertThat(Files.readAllBytes(two.get(0))).as("the refused image").isEqualTo(first);

    // Live: add a fresh device back, then remove an old member through the mountpoint while
    // files are written beside it.
    Path fresh = dir.resolve("fresh.img");
    Loop.createSparse(fresh, 600L << 20);
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Manifest shown;
    try (RwFuseMount m = RwFuseMount.mount(two, mnt, "noatime")) {
      ScrubRepairTest.Run add =
          ScrubRepairTest.jbtrfs("device", "add", fresh.toString(), mnt.toString());
      assertThat(add.rc()).as(add.all()).isZero();
      Thread writer =
          new Thread(
              () -> {
                try {
                  java.util.SplittableRandom r = new java.util.SplittableRandom(5);
                  for (int i = 0; i < 15; i++) {
                    byte[] b = new byte[300_000 + i];
                    for (int k = 0; k < b.length; k++) b[k] = (byte) r.nextInt();
                    Files.write(mnt.resolve("during" + i), b);
                  }
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      writer.start();
      ScrubRepairTest.Run live = ScrubRepairTest.jbtrfs("device", "remove", "1", mnt.toString());
      writer.join();
      assertThat(live.rc()).as(live.all()).isZero();
      shown = ManifestReader.read(mnt);
    }
    List<Path> left = List.of(two.get(1), fresh);
    try (Loop loop = Loop.attach(left)) {
      String show =
          KernelMount.assertReadsBack(loop, dir.resolve("k2"), shown, "after a live remove");
      assertThat(show).contains("Total devices 2");
    }
  }

  /**
   * `device remove missing`: a device of a kernel-filled three-device RAID1 is gone; through a
   * degraded read-write mount of the other two, the chunks that had a stripe on it are rebuilt on
   * the devices left, and its dev item goes. The kernel then mounts the two without `degraded`,
   * reads exactly what was there, counts 2 devices and scrubs clean; btrfs check is clean. Offline,
   * the same on a copy made before, with the gone device simply not given.
   */
  @Test
  void removeMissingThroughADegradedMountAndOffline() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "missing",
            500L << 20,
            3,
            List.of("-d", "raid1", "-m", "raid1"),
            "for i in $(seq 1 25); do head -c 3000000 /dev/urandom > f$i; done && btrfs -q"
                + " subvolume snapshot . snap && rm f4 && sync");
    List<Path> devs = img.devices();
    Manifest before;
    try (Loop loop = Loop.attach(devs);
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("k0"), "")) {
      before = ManifestReader.read(k.path());
    }
    List<Path> two = devs.subList(0, 2);
    List<Path> copies = new java.util.ArrayList<>();
    for (Path p : two) {
      Path c = dir.resolve("copy-" + p.getFileName());
      Cmd.run(List.of("cp", "--sparse=always", p.toString(), c.toString())).check();
      copies.add(c);
    }

    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    try (RwFuseMount m = RwFuseMount.mount(two, mnt, "noatime,degraded")) {
      ScrubRepairTest.Run live =
          ScrubRepairTest.jbtrfs("device", "remove", "missing", mnt.toString());
      assertThat(live.rc()).as(live.all()).isZero();
      ScrubRepairTest.Run again =
          ScrubRepairTest.jbtrfs("device", "remove", "missing", mnt.toString());
      assertThat(again.rc()).as("nothing missing any more: " + again.all()).isNotZero();
      assertThat(again.err()).contains("no missing devices found to remove");
    }
    try (Loop loop = Loop.attach(two)) {
      String show =
          KernelMount.assertReadsBack(loop, dir.resolve("k1"), before, "after a live remove");
      assertThat(show).contains("Total devices 2");
    }

    ScrubRepairTest.Run offline =
        ScrubRepairTest.jbtrfs(
            "device",
            "remove",
            "missing",
            copies.get(0).toString(),
            "--device",
            copies.get(1).toString());
    assertThat(offline.rc()).as(offline.all()).isZero();
    try (Loop loop = Loop.attach(copies)) {
      String show =
          KernelMount.assertReadsBack(loop, dir.resolve("k2"), before, "after an offline remove");
      assertThat(show).contains("Total devices 2");
    }
  }
}
