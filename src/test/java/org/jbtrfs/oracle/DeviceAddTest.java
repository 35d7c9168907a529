package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Stripe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `device add`, against the kernel: a device added to a kernel-filled filesystem offline gets the
 * dev item and superblock the kernel's own `btrfs device add` gives a device of the same size on a
 * copy (all but its random uuid), and the kernel then mounts both and reads what was there; a
 * second device added through a live jbtrfs mount receives the chunks a write then needs (it has
 * the most free space, so the kernel's allocator rules put them there), and afterwards the kernel
 * mounts all three, reads what jbtrfs showed, scrubs clean, and btrfs check is clean. Devices in
 * use, holding a filesystem, or too small are refused with nothing written to them.
 */
class DeviceAddTest {
  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @Test
  void addOfflineThenLiveAndTheKernelAgrees() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "add",
            320L << 20,
            1,
            List.of(),
            "head -c 5000000 /dev/urandom > big && mkdir d && for i in $(seq 1 150); do head -c"
                + " $((i * 131)) /dev/urandom > d/f$i; done && sync");
    Manifest before;
    try (Loop loop = Loop.attach(img.devices());
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("k0"), "")) {
      before = ManifestReader.read(k.path());
    }
    // The kernel adds a device of the same size to a copy, for the fields to compare.
    Path kernelImage = dir.resolve("kernel.img");
    Path kernelNew = dir.resolve("kernel-new.img");
    Cmd.run(List.of("cp", "--sparse=always", img.image().toString(), kernelImage.toString()))
        .check();
    Loop.createSparse(kernelNew, 512L << 20);
    try (Loop loop = Loop.attach(List.of(kernelImage, kernelNew))) {
      try (KernelMount k =
          KernelMount.mountReadWrite(loop.devices().subList(0, 1), dir.resolve("kadd"))) {
        Cmd.run(List.of("btrfs", "device", "add", loop.devices().get(1), k.path().toString()))
            .check();
      }
    }

    Path second = dir.resolve("second.img");
    Loop.createSparse(second, 512L << 20);
    ScrubRepairTest.Run add =
        ScrubRepairTest.jbtrfs("device", "add", second.toString(), img.image().toString());
    assertThat(add.rc()).as(add.all()).isZero();
    assertThat(superFields(kernelNew)).as("dump-super of the kernel's device").hasSize(17);
    assertThat(devItems(kernelImage))
        .as("dev items in the kernel's chunk tree")
        .anyMatch(l -> l.contains("DEV_ITEM 2"))
        .anyMatch(l -> l.startsWith("io_align"));
    assertThat(superFields(second))
        .as("the added device's superblock against the kernel's added device's")
        .isEqualTo(superFields(kernelNew));
    assertThat(devItems(img.image()))
        .as("the chunk tree's dev items against the kernel's")
        .isEqualTo(devItems(kernelImage));
    List<Path> two = List.of(img.image(), second);
    try (Loop loop = Loop.attach(two)) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the offline add");
      try (KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("k1"), "")) {
        List<String> d = Manifest.diff(before, ManifestReader.read(k.path()), Set.of("atime"));
        assertThat(d).as("the kernel after the offline add: " + Manifest.report(d, 20)).isEmpty();
      }
    }

    Path third = dir.resolve("third.img");
    Loop.createSparse(third, 1L << 30);
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    String at = mnt.toString();
    Manifest shown;
    long chunksEnd;
    try (Filesystem fs = Filesystem.open(two, MountOptions.readOnlyDefaults())) {
      chunksEnd = fs.chunks().end();
    }
    try (RwFuseMount m = RwFuseMount.mount(two, mnt, "noatime")) {
      refusals(img, second, at);
      ScrubRepairTest.Run live = ScrubRepairTest.jbtrfs("device", "add", third.toString(), at);
      assertThat(live.rc()).as(live.all()).isZero();
      // More than the chunks there hold: new chunks are needed, on the device with most room.
      byte[] piece = new byte[8 << 20];
      java.util.SplittableRandom r = new java.util.SplittableRandom(7);
      try (var out = Files.newOutputStream(mnt.resolve("after"))) {
        for (int i = 0; i < 40; i++) {
          for (int k = 0; k < piece.length; k++) piece[k] = (byte) r.nextInt();
          out.write(piece);
        }
      }
      Files.delete(mnt.resolve("d").resolve("f7"));
      shown = ManifestReader.read(mnt);
    }
    List<Path> three = List.of(img.image(), second, third);
    boolean onThird = false;
    try (Filesystem fs = Filesystem.open(three, MountOptions.readOnlyDefaults())) {
      for (ChunkMapping c : fs.chunks().all()) {
        if (c.logical() < chunksEnd) continue;
        for (Stripe s : c.stripes()) onThird |= s.devid() == 3;
      }
    }
    assertThat(onThird)
        .as("a chunk allocated after the live add lies on the added device")
        .isTrue();
    try (Loop loop = Loop.attach(three)) {
      String show =
          KernelMount.assertReadsBack(loop, dir.resolve("k2"), shown, "after the live add");
      assertThat(show).contains("Total devices 3").contains("size 1.00GiB");
    }
  }

  /** What a live add refuses, each before anything is written to the device. */
  private void refusals(ScratchImage img, Path member, String at) throws Exception {
    ScrubRepairTest.Run inUse = ScrubRepairTest.jbtrfs("device", "add", member.toString(), at);
    assertThat(inUse.rc()).as(inUse.all()).isNotZero();
    assertThat(inUse.err()).as(inUse.all()).contains("in use");

    Path other = dir.resolve("other.img");
    Loop.createSparse(other, 200L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", other.toString())).check();
    byte[] otherBefore = Files.readAllBytes(other);
    ScrubRepairTest.Run holds = ScrubRepairTest.jbtrfs("device", "add", other.toString(), at);
    assertThat(holds.rc()).as(holds.all()).isNotZero();
    assertThat(holds.err()).as(holds.all()).contains("appears to contain an existing filesystem");
    assertThat(Files.readAllBytes(other)).as("the refused device").isEqualTo(otherBefore);

    Path tiny = dir.resolve("tiny.img");
    Loop.createSparse(tiny, 1L << 20);
    ScrubRepairTest.Run small = ScrubRepairTest.jbtrfs("device", "add", tiny.toString(), at);
    assertThat(small.rc()).as(small.all()).isNotZero();
    assertThat(small.err()).as(small.all()).contains("too small");
    assertThat(Files.readAllBytes(tiny)).as("the tiny device").containsOnly(0);
  }

  /** The superblock fields a device add decides, from dump-super (not the device's uuid). */
  private static List<String> superFields(Path device) {
    return DeviceProbe.superFields(
        device, "^(dev_item\\.(?!uuid)|num_devices|total_bytes|fsid|magic|sectorsize).*");
  }

  /** The chunk tree's dev items without their uuids and bytes used. */
  private static List<String> devItems(Path image) {
    String dump =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "chunk", image.toString()))
            .check()
            .out();
    List<String> out = new ArrayList<>();
    boolean in = false;
    for (String line : dump.split("\n")) {
      if (line.contains("DEV_ITEM")) {
        in = true;
        out.add(line.replaceAll("itemoff \\d+ ", "").trim());
      } else if (in && line.contains("CHUNK_ITEM")) {
        in = false;
      } else if (in && !line.trim().startsWith("uuid")) {
        out.add(line.replaceAll("bytes_used \\d+", "").trim());
      }
    }
    return out;
  }
}
