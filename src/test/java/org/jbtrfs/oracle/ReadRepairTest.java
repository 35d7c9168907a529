package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Read repair through a read-write FUSE mount, against the kernel: kernel-made images of each
 * redundant profile get damage on the first copy (the one a read tries first; for RAID5/6 the data
 * strip) of file-tree and checksum-tree blocks and of data sectors (the blocks and sectors reading
 * every file goes through); reading every file through jbtrfs returns what the kernel saw before
 * the damage and rewrites each bad copy it fell back from, so that afterwards our scrub and the
 * kernel's find nothing and btrfs check is clean. A read-only mount reads the same files right and
 * writes nothing.
 */
class ReadRepairTest {
  /**
   * Tree blocks of the file and checksum trees above their leaves (all the images have: their
   * roots), which the mount reads before its writer exists, so their repair waits for it.
   */
  private static final int METADATA = 2;

  private static final int DATA = 64;

  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"raid1,2", "dup,1", "raid5,3", "raid6,4"})
  void readsRewriteEveryBadCopyTheyFellBackFrom(String profile, int ndev) throws Exception {
    Damaged d = damaged(profile, ndev);
    Path mnt = dir.resolve(profile + ".fuse");
    Files.createDirectories(mnt);
    String log;
    try (RwFuseMount m = RwFuseMount.mount(d.img.devices(), mnt, "")) {
      List<String> diff = Manifest.diff(d.before, ManifestReader.read(m.path()), Set.of("atime"));
      assertThat(diff).as(Manifest.report(diff, 20)).isEmpty();
      log = m.log;
    }
    long rewrites =
        Files.readAllLines(Path.of(log)).stream()
            .filter(l -> l.contains("read repair rewrote"))
            .count();
    assertThat(rewrites).as("read repairs logged in " + log).isEqualTo(METADATA + DATA);

    ScrubRepairTest.Run after =
        ScrubRepairTest.jbtrfs(ScrubRepairTest.args(d.img.devices(), "scrub", "start", "-B", "-r"));
    assertThat(after.out()).as(after.all()).contains("Error summary:    no errors found");
    try (Loop loop = Loop.attach(d.img.devices())) {
      Path kmnt = dir.resolve(profile + ".kernel");
      try (KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
        k.assertScrubClean();
        List<String> diff = Manifest.diff(d.before, ManifestReader.read(k.path()), Set.of("atime"));
        assertThat(diff).as(Manifest.report(diff, 20)).isEmpty();
      }
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after read repair");
    }
  }

  @Test
  void aReadOnlyMountReadsAroundTheDamageAndWritesNothing() throws Exception {
    Damaged d = damaged("raid1", 2);
    List<byte[]> images = new java.util.ArrayList<>();
    for (Path p : d.img.devices()) images.add(Files.readAllBytes(p));
    Path mnt = dir.resolve("ro.fuse");
    Files.createDirectories(mnt);
    try (RwFuseMount m = RwFuseMount.mount(d.img.devices(), mnt, "ro")) {
      List<String> diff = Manifest.diff(d.before, ManifestReader.read(m.path()), Set.of("atime"));
      assertThat(diff).as(Manifest.report(diff, 20)).isEmpty();
    }
    for (int i = 0; i < images.size(); i++) {
      assertThat(Files.readAllBytes(d.img.devices().get(i)))
          .as("device %d unchanged by a read-only mount", i + 1)
          .isEqualTo(images.get(i));
    }
  }

  private record Damaged(ScratchImage img, Manifest before) {}

  /**
   * METADATA tree blocks and DATA sectors of {@code candidates} such that on RAID5/6 no two damage
   * the same sector of two strips of one row: one bad strip per row position is what a parity
   * rebuild through P (or Q) restores; two in one place are beyond RAID5 and beyond jbtrfs's RAID6
   * rebuild, which rebuilds one strip per read.
   */
  private static List<ScrubTargets.Target> oneBadStripPerRow(
      Filesystem fs, List<ScrubTargets.Target> candidates, int sector) throws Exception {
    List<ScrubTargets.Target> out = new java.util.ArrayList<>();
    Set<String> used = new java.util.HashSet<>();
    int trees = 0;
    int sectors = 0;
    for (ScrubTargets.Target t : candidates) {
      boolean tree = t.len() > sector;
      if (tree ? trees == METADATA : sectors == DATA) continue;
      org.jbtrfs.volume.ChunkMapping c = fs.chunks().lookup(t.logical());
      List<String> keys = new java.util.ArrayList<>();
      if (c.profile().hasParity()) {
        long width = c.numStripes() - c.profile().nparity();
        for (long a = t.logical(); a < t.logical() + t.len(); a += sector) {
          long pos = a - c.logical();
          keys.add(c.logical() + ":" + pos / (c.stripeLen() * width) + ":" + pos % c.stripeLen());
        }
      }
      if (keys.stream().anyMatch(used::contains)) continue;
      used.addAll(keys);
      out.add(t);
      if (tree) trees++;
      else sectors++;
    }
    assertThat(trees).as("tree blocks to damage").isEqualTo(METADATA);
    assertThat(sectors).as("sectors to damage").isEqualTo(DATA);
    return out;
  }

  /**
   * A kernel-filled image of {@code profile} with METADATA blocks of the file and checksum trees
   * and DATA sectors damaged on their first copy; our read-only scrub sees all of it first.
   */
  private Damaged damaged(String profile, int ndev) throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            profile,
            320L << 20,
            ndev,
            List.of("-m", profile, "-d", profile),
            ScrubRepairTest.populate());
    Manifest before = ScrubRepairTest.kernelManifest(dir, img, profile + ".before");
    Random rnd = new Random(profile.hashCode() * 31L + 7);
    List<ScrubTargets.Target> targets;
    int sectorsPerNode;
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      sectorsPerNode = fs.superblock().nodeSize() / fs.sectorSize();
      boolean parity = fs.chunks().lookup(fs.superblock().rootBytenr()).profile().hasParity();
      int spare = parity ? 4 : 1;
      List<ScrubTargets.Target> candidates =
          ScrubTargets.pickFirstCopies(
              fs, METADATA, DATA * spare, rnd, Set.of(ObjectIds.FS_TREE, ObjectIds.CSUM_TREE));
      targets = oneBadStripPerRow(fs, candidates, fs.sectorSize());
    }
    for (ScrubTargets.Target t : targets) ScrubRepairTest.damage(img.device(t.devid()), t, rnd);
    ScrubRepairTest.Run seen =
        ScrubRepairTest.jbtrfs(ScrubRepairTest.args(img.devices(), "scrub", "start", "-B", "-r"));
    assertThat(ScrubRepairTest.field(seen.out(), "Error summary:\\s+csum=(\\d+)"))
        .as(seen.all())
        .isEqualTo((long) METADATA * sectorsPerNode + DATA);
    return new Damaged(img, before);
  }
}
