package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Placement;
import org.jbtrfs.volume.StoredCopies;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RAID6 reads rebuild two bad strips in one place, as the kernel's do: on a kernel-made RAID6 of
 * four devices (two data strips per row), both data strips of one row position are damaged, so
 * neither the P nor the Q rebuild alone verifies; the read rebuilds from P and Q together, a
 * read-only open returns the right bytes, a read-write mount rewrites both strips, and the kernel's
 * scrub then finds nothing.
 */
class Raid6TwoStripReadTest {
  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  /** Where the first extent of {@code name} (in the top directory) starts on the disk. */
  private static long firstDiskBytenr(Filesystem fs, String name) throws Exception {
    org.jbtrfs.fs.Subvolume sv = fs.subvolume(fs.defaultSubvolumeId());
    org.jbtrfs.fs.Node n =
        new org.jbtrfs.fs.PathResolver(fs, new org.jbtrfs.fs.Node(sv, sv.rootDirIno()))
            .resolve(name);
    org.jbtrfs.tree.Cursor c =
        sv.tree()
            .seekCeil(
                new org.jbtrfs.format.Key(n.ino(), org.jbtrfs.format.ItemType.EXTENT_DATA, 0));
    return org.jbtrfs.format.FileExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize())
        .diskBytenr();
  }

  @Test
  void bothDataStripsOfARowPositionBadAreRebuiltFromPAndQ() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "r6",
            256L << 20,
            4,
            List.of("-d", "raid6", "-m", "raid1c3"),
            "head -c 4194304 /dev/urandom > f && sync");
    byte[] want;
    Placement[] bad = new Placement[2];
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      want = CorruptionTest.readPath(fs, "f");
      long start = firstDiskBytenr(fs, "f");
      ChunkMapping c = fs.chunks().lookup(start);
      long stripe = c.stripeLen();
      int width = c.numStripes() - c.profile().nparity();
      assertThat(width).isEqualTo(2);
      // A sector in the second row the file covers, and the same sector of the other column.
      long pos = start - c.logical() + 2 * width * stripe + 3 * 4096;
      long element = pos / stripe;
      long partner = element / width * width + (1 - element % width);
      long a = c.logical() + pos;
      long b = c.logical() + partner * stripe + pos % stripe;
      bad[0] = StoredCopies.placements(c, a, 4096, 0).get(0);
      bad[1] = StoredCopies.placements(c, b, 4096, 0).get(0);
      assertThat(bad[0].devid()).isNotEqualTo(bad[1].devid());
    }
    Random rnd = new Random(6);
    for (Placement p : bad) {
      byte[] junk = new byte[4096];
      rnd.nextBytes(junk);
      ScratchImage.write(img.device(p.devid()), p.physical(), junk);
    }
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      assertThat(CorruptionTest.readPath(fs, "f")).as("a read-only open").isEqualTo(want);
    }
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    String log;
    try (RwFuseMount m = RwFuseMount.mount(img.devices(), mnt, "")) {
      assertThat(Files.readAllBytes(m.path().resolve("f"))).as("through the mount").isEqualTo(want);
      log = m.log;
    }
    List<String> lines = Files.readAllLines(Path.of(log));
    // The first of the two sectors read needs P and Q together; its repair leaves the second
    // with one bad strip, which P alone rebuilds.
    assertThat(lines.stream().filter(l -> l.contains("with a second bad strip")).count())
        .as("two-strip rebuilds logged in " + log)
        .isEqualTo(1);
    assertThat(lines.stream().filter(l -> l.contains("read repair rewrote")).count())
        .as("read repairs logged in " + log)
        .isEqualTo(2);
    try (Loop loop = Loop.attach(img.devices())) {
      try (KernelMount k = KernelMount.mountReadWrite(loop.devices(), dir.resolve("k"))) {
        k.assertScrubClean();
        assertThat(Files.readAllBytes(k.path().resolve("f"))).isEqualTo(want);
      }
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the two-strip repair");
    }
  }
}
