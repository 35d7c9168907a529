package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbtrfs.cli.Main;
import org.jbtrfs.format.FileExtentItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.Subvolume;
import org.jbtrfs.scrub.ScrubSummary;
import org.jbtrfs.scrub.Scrubber;
import org.jbtrfs.tree.Cursor;
import org.jbtrfs.txn.WriteEngine;
import org.jbtrfs.volume.ChunkMapping;
import org.jbtrfs.volume.Placement;
import org.jbtrfs.volume.StoredCopies;
import org.jbtrfs.volume.Stripe;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * Offline scrub against the kernel: kernel-made images of each redundant profile get random damage
 * (overwrite, zero, flip) on one copy of tree blocks and data sectors on one device; `jbtrfs scrub
 * start -B` must count exactly that damage and repair all of it, after which the kernel's own scrub
 * finds nothing, btrfs check is clean, the files are what they were, and a kernel mount's `btrfs
 * device stats` shows the counters our scrub recorded.
 */
class ScrubRepairTest {
  /** The issue's full figures are 200 and 2000; -Dscrub.metadata / -Dscrub.data raise these. */
  private static final int METADATA = Integer.getInteger("scrub.metadata", 20);

  private static final int DATA = Integer.getInteger("scrub.data", 200);

  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  /** Sparse device files, large enough for the issue's full figures on one DUP device. */
  private static long deviceBytes() {
    return (METADATA > 20 || DATA > 200 ? 1536L : 320L) << 20;
  }

  /**
   * Small files for many leaves, larger random files for many data sectors, both scaled with the
   * damage asked for so that every profile has enough on its last device.
   */
  static String populate() {
    int smallFiles = 1500 * Math.max(1, METADATA / 20);
    int bigFiles = 6 * Math.max(1, DATA / 200);
    return "python3 - <<'PY'\n"
        + "import os, random\n"
        + "r = random.Random(17)\n"
        + "os.makedirs('small', exist_ok=True)\n"
        + "for i in range("
        + smallFiles
        + "):\n"
        + "    open('small/f%04d' % i, 'wb').write(bytes([i % 251]) * (100 + i % 1900))\n"
        + "for i in range("
        + bigFiles
        + "):\n"
        + "    open('big%d' % i, 'wb').write(r.randbytes(2 << 20))\n"
        + "PY\n";
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"raid1,2", "dup,1", "raid10,4", "raid1c3,3", "raid5,3", "raid6,4"})
  void repairsEveryInjectedErrorAndTheKernelAgrees(String profile, int ndev) throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir, profile, deviceBytes(), ndev, List.of("-m", profile, "-d", profile), populate());
    Manifest before = kernelManifest(dir, img, "before");
    long victim = ndev;
    Random rnd = new Random(profile.hashCode());
    int nodeSize;
    int sectorSize;
    List<ScrubTargets.Target> targets;
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      nodeSize = fs.superblock().nodeSize();
      sectorSize = fs.sectorSize();
      targets = ScrubTargets.pick(fs, victim, METADATA, DATA, rnd);
    }
    for (ScrubTargets.Target t : targets) damage(img.device(t.devid()), t, rnd);
    long expected = (long) METADATA * (nodeSize / sectorSize) + DATA;

    Run ro = jbtrfs(args(img.devices(), "scrub", "start", "-B", "-r"));
    assertThat(field(ro.out, "Error summary:\\s+csum=(\\d+)")).as(ro.all()).isEqualTo(expected);
    Run scrub = jbtrfs(args(img.devices(), "scrub", "start", "-B"));
    assertThat(scrub.rc).as(scrub.all()).isZero();
    assertThat(field(scrub.out, "Error summary:\\s+csum=(\\d+)"))
        .as(scrub.all())
        .isEqualTo(expected);
    assertThat(field(scrub.out, "Corrected:\\s+(\\d+)")).isEqualTo(expected);
    assertThat(field(scrub.out, "Uncorrectable:\\s+(\\d+)")).isZero();

    Run again = jbtrfs(args(img.devices(), "scrub", "start", "-B", "-r"));
    assertThat(again.out).as(again.all()).contains("Error summary:    no errors found");

    Run stats = jbtrfs(args(img.devices(), "device", "stats"));
    Path victimPath = img.device(victim);
    assertThat(stats.out).contains("[" + victimPath + "].corruption_errs  " + expected);

    try (Loop loop = Loop.attach(img.devices())) {
      Path mnt = dir.resolve(profile + ".check");
      try (KernelMount m = KernelMount.mountReadWrite(loop.devices(), mnt)) {
        m.assertScrubClean();
        String kstats =
            Cmd.run(List.of("btrfs", "device", "stats", m.path().toString())).check().out();
        String victimLoop = loop.devices().get((int) victim - 1);
        assertThat(kstats).contains("[" + victimLoop + "].corruption_errs  " + expected);
        List<String> diff = Manifest.diff(before, ManifestReader.read(m.path()), Set.of("atime"));
        assertThat(diff).as(Manifest.report(diff, 20)).isEmpty();
      }
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after scrub");
    }
  }

  @Test
  void bothCopiesBadIsUncorrectableAndNamesTheFile() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "lost",
            256L << 20,
            2,
            List.of("-m", "raid1", "-d", "raid1"),
            "mkdir d && head -c 1048576 /dev/urandom > d/victim && head -c 65536 /dev/urandom >"
                + " other");
    long logical;
    List<ScrubTargets.Target> copies = new ArrayList<>();
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      String dump = img.inspect("dump-tree", "-t", "5");
      long dirIno = DumpText.inodeOf(dump, 256, "d");
      long ino = DumpText.inodeOf(dump, dirIno, "victim");
      logical = diskBytenr(dump, ino) + 5L * fs.sectorSize();
      ChunkMapping c = fs.chunks().lookup(logical);
      for (int k = 0; k < 2; k++) {
        Placement p = StoredCopies.placements(c, logical, fs.sectorSize(), k).get(0);
        copies.add(new ScrubTargets.Target(logical, fs.sectorSize(), p.devid(), p.physical()));
      }
    }
    for (ScrubTargets.Target t : copies)
      ScratchImage.flip(img.device(t.devid()), t.physical() + 100, 8);

    Run scrub = jbtrfs(args(img.devices(), "scrub", "start", "-B"));
    assertThat(scrub.rc).as(scrub.all()).isEqualTo(3);
    assertThat(field(scrub.out, "Uncorrectable:\\s+(\\d+)")).as(scrub.all()).isEqualTo(2);
    assertThat(scrub.err).contains("(path: d/victim)").contains("offset 20480");
    assertThat(scrub.err).doesNotContain("path: other");

    // The kernel counts the same damage the same way: each bad copy is one uncorrectable error.
    try (Loop loop = Loop.attach(img.devices())) {
      Path mnt = dir.resolve("lost.check");
      try (KernelMount m = KernelMount.mountReadWrite(loop.devices(), mnt)) {
        String kstats =
            Cmd.run(List.of("btrfs", "device", "stats", m.path().toString())).check().out();
        for (String dev : loop.devices())
          assertThat(kstats).contains("[" + dev + "].corruption_errs  1");
        Cmd.Result ks = m.scrub();
        assertThat(ks.exitCode()).isEqualTo(3);
        assertThat(field(ks.out(), "Uncorrectable:\\s+(\\d+)")).isEqualTo(2);
      }
    }

    // -z reads out the counters and zeroes them; the image still checks clean.
    Run reset = jbtrfs(args(img.devices(), "device", "stats", "-z"));
    assertThat(reset.out).containsPattern("corruption_errs  [1-9]");
    Run zero = jbtrfs(args(img.devices(), "device", "stats", "-c"));
    assertThat(zero.rc).isZero();
    assertThat(zero.out).doesNotContainPattern("errs +[1-9]");
    try (Loop loop = Loop.attach(img.devices())) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after device stats -z");
    }
  }

  @Test
  void readErrorsAreRepairedAndCountedAsTheKernelShowsThem() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "eio",
            256L << 20,
            2,
            List.of("-m", "raid1", "-d", "raid1"),
            "head -c 65536 /dev/urandom > f && sync");
    byte[] want;
    long physical;
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      want = CorruptionTest.readPath(fs, "f");
      String dump = img.inspect("dump-tree", "-t", "5");
      long logical = diskBytenr(dump, DumpText.inodeOf(dump, 256, "f"));
      ChunkMapping c = fs.chunks().lookup(logical);
      physical = -1;
      for (int k = 0; k < 2; k++) {
        Placement p = StoredCopies.placements(c, logical, 65536, k).get(0);
        if (p.devid() == 2) physical = p.physical();
      }
    }
    String bad = img.device(2).toString();
    long from = physical;
    UnreadableRange[] faulty = new UnreadableRange[1];
    ScrubSummary s;
    try (Filesystem fs =
        Filesystem.open(
            img.devices(),
            MountOptions.readOnlyDefaults().withReadOnly(false),
            d ->
                d.name().equals(bad)
                    ? (faulty[0] = new UnreadableRange(d, from, from + 65536))
                    : d)) {
      List<String> log = new ArrayList<>();
      s = new Scrubber(fs, false, log::add).run();
      WriteEngine engine = WriteEngine.open(fs);
      engine.commit();
    }
    assertThat(faulty[0].failedReads()).as("the injected errors were hit").isPositive();
    assertThat(s.readErrors()).isEqualTo(16);
    assertThat(s.corrected()).isEqualTo(16);
    assertThat(s.uncorrectable()).isZero();
    Run stats = jbtrfs(args(img.devices(), "device", "stats"));
    assertThat(stats.out).contains("[" + bad + "].read_io_errs     16");

    try (Loop loop = Loop.attach(img.devices())) {
      Path mnt = dir.resolve("eio.check");
      try (KernelMount m = KernelMount.mountReadWrite(loop.devices(), mnt)) {
        String kstats =
            Cmd.run(List.of("btrfs", "device", "stats", m.path().toString())).check().out();
        assertThat(kstats).contains("[" + loop.devices().get(1) + "].read_io_errs     16");
        assertThat(kstats).contains("[" + loop.devices().get(0) + "].read_io_errs     0");
        m.assertScrubClean();
        assertThat(Files.readAllBytes(m.path().resolve("f"))).isEqualTo(want);
      }
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the read-error scrub");
    }
  }

  @Test
  void aScrubOfAnImageWhoseChunkTreeCannotBeReadStopsWithAClearError() throws Exception {
    ScratchImage img = ScratchImage.create(dir, "nochunks", 256L << 20, 1, List.of(), "true");
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      long root = fs.superblock().chunkRootBytenr();
      ChunkMapping c = fs.chunks().lookup(root);
      for (int k = 0; k < StoredCopies.count(c); k++) {
        Placement p = StoredCopies.placements(c, root, 4096, k).get(0);
        ScratchImage.write(img.device(p.devid()), p.physical() + 100, new byte[64]);
      }
    }
    byte[] before = Files.readAllBytes(img.image());
    Run r = jbtrfs(args(img.devices(), "scrub", "start", "-B"));
    assertThat(r.rc()).as(r.all()).isNotZero();
    assertThat(r.err()).as(r.all()).contains("the chunk tree cannot be read");
    assertThat(Files.readAllBytes(img.image())).as("the image").isEqualTo(before);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"raid5,3", "raid6,4"})
  void wrongParityIsRewrittenAndNotCountedAsTheKernelDoes(String profile, int ndev)
      throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            profile + "p",
            256L << 20,
            ndev,
            List.of("-m", "raid1", "-d", profile),
            "head -c 1048576 /dev/urandom > f && sync");
    int nparity = profile.equals("raid6") ? 2 : 1;
    List<ScrubTargets.Target> parity = new ArrayList<>();
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      long logical = firstExtent(fs, "f");
      ChunkMapping c = fs.chunks().lookup(logical);
      int n = c.numStripes();
      int width = n - nparity;
      // The rotation written out here, apart from the code under test: data i of row r is on
      // stripe (r + i) % n, then P, then Q.
      for (int k = 0; k < nparity; k++) {
        long pos = logical + (long) k * c.stripeLen() * width - c.logical() + 3L * fs.sectorSize();
        long row = pos / c.stripeLen() / width;
        long inStrip = pos % c.stripeLen();
        Stripe s = c.stripes().get((int) ((row + width + k) % n));
        parity.add(
            new ScrubTargets.Target(
                logical, fs.sectorSize(), s.devid(), s.offset() + row * c.stripeLen() + inStrip));
      }
    }
    List<byte[]> before = new ArrayList<>();
    for (ScrubTargets.Target t : parity) {
      before.add(ScratchImage.read(img.device(t.devid()), t.physical(), t.len()));
      ScratchImage.flip(img.device(t.devid()), t.physical() + 7, 3);
    }

    Run scrub = jbtrfs(args(img.devices(), "scrub", "start", "-B"));
    assertThat(scrub.rc).as(scrub.all()).isZero();
    assertThat(scrub.out).contains("Error summary:    no errors found");
    assertThat(scrub.err).contains("parity P mismatch");
    if (nparity == 2) assertThat(scrub.err).contains("parity Q mismatch");
    for (int k = 0; k < parity.size(); k++) {
      ScrubTargets.Target t = parity.get(k);
      assertThat(ScratchImage.read(img.device(t.devid()), t.physical(), t.len()))
          .as("parity %d rewritten as it was", k + 1)
          .isEqualTo(before.get(k));
    }
    assertThat(jbtrfs(args(img.devices(), "device", "stats", "-c")).rc).isZero();
    try (Loop loop = Loop.attach(img.devices())) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the parity rewrite");
    }
  }

  @Test
  void aMisdirectedTreeBlockIsAVerifyErrorAndIsRepaired() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir, "misdirected", 320L << 20, 2, List.of("-m", "raid1", "-d", "raid1"), populate());
    int sectors;
    List<ScrubTargets.Target> two;
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      sectors = fs.superblock().nodeSize() / fs.sectorSize();
      two = ScrubTargets.pick(fs, 2, 2, 0, new Random(5));
    }
    // A valid block at the wrong address, as a write that went astray leaves it: its checksum
    // holds, only its header's address says it does not belong here.
    ScrubTargets.Target from = two.get(0);
    ScrubTargets.Target to = two.get(1);
    Path dev = img.device(2);
    ScratchImage.write(dev, to.physical(), ScratchImage.read(dev, from.physical(), from.len()));

    Run scrub = jbtrfs(args(img.devices(), "scrub", "start", "-B"));
    assertThat(scrub.rc).as(scrub.all()).isZero();
    assertThat(field(scrub.out, "Error summary:\\s+verify=(\\d+)")).isEqualTo(sectors);
    assertThat(field(scrub.out, "Corrected:\\s+(\\d+)")).isEqualTo(sectors);
    assertThat(scrub.err).contains("fixed up verify error at logical " + to.logical());
    assertThat(jbtrfs(args(img.devices(), "scrub", "start", "-B", "-r")).out)
        .contains("no errors found");
    try (Loop loop = Loop.attach(img.devices())) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the misdirected block");
    }
  }

  @Test
  void aBadSuperblockCopyIsASuperErrorAsForTheKernel() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir, "super", 256L << 20, 2, List.of("-m", "raid1", "-d", "raid1"), "echo x > f");
    long mirror = Superblock.MIRROR_OFFSETS[1];
    ScratchImage.flip(img.device(2), mirror + 200, 4);
    List<Path> copies = new ArrayList<>();
    for (Path d : img.devices()) {
      Path c = d.resolveSibling("kernel." + d.getFileName());
      Files.copy(d, c);
      copies.add(c);
    }

    Run scrub = jbtrfs(args(img.devices(), "scrub", "start", "-B"));
    assertThat(scrub.rc).as(scrub.all()).isZero();
    assertThat(field(scrub.out, "Error summary:\\s+super=(\\d+)")).isEqualTo(1);
    assertThat(field(scrub.out, "Corrected:\\s+(\\d+)")).isZero();
    assertThat(field(scrub.out, "Uncorrectable:\\s+(\\d+)")).isZero();
    // Recording the error committed, and a commit writes every superblock copy afresh.
    assertThat(jbtrfs(args(img.devices(), "scrub", "start", "-B", "-r")).out)
        .contains("no errors found");
    assertThat(jbtrfs(args(img.devices(), "device", "stats")).out)
        .contains("[" + img.device(2) + "].corruption_errs  1");

    // The kernel's scrub of the same damage says the same.
    try (Loop loop = Loop.attach(copies)) {
      Path mnt = dir.resolve("super.kernel");
      try (KernelMount m = KernelMount.mountReadWrite(loop.devices(), mnt)) {
        Cmd.Result ks = m.scrub();
        assertThat(field(ks.out(), "Error summary:\\s+super=(\\d+)"))
            .as(ks.out() + ks.stderr())
            .isEqualTo(1);
      }
    }
    try (Loop loop = Loop.attach(img.devices())) {
      BtrfsCheck.assertClean(Path.of(loop.devices().get(0)), "after the superblock scrub");
    }
  }

  /** Where the first extent of file {@code path} starts, through the jbtrfs API (any profile). */
  private static long firstExtent(Filesystem fs, String path) throws IOException {
    Subvolume sv = fs.subvolume(fs.defaultSubvolumeId());
    Node n = new PathResolver(fs, new Node(sv, sv.rootDirIno())).resolve(path);
    Cursor c = sv.tree().find(new Key(n.ino(), ItemType.EXTENT_DATA, 0));
    return FileExtentItem.parse(c.raw(), c.dataOffset(), c.dataSize()).diskBytenr();
  }

  static long diskBytenr(String dump, long ino) {
    Matcher m =
        Pattern.compile(
                "key \\("
                    + ino
                    + " EXTENT_DATA 0\\)[^\\n]*\\n[^\\n]*\\n\\s*extent data disk byte (\\d+)")
            .matcher(dump);
    if (!m.find()) throw new AssertionError("no extent for inode " + ino);
    return Long.parseLong(m.group(1));
  }

  static Manifest kernelManifest(Path dir, ScratchImage img, String name) {
    try (Loop loop = Loop.attach(img.devices());
        KernelMount m = KernelMount.mount(loop.devices(), dir.resolve(name + ".mnt"), "")) {
      return ManifestReader.read(m.path());
    }
  }

  /** Overwrite with random bytes, zero, or flip, inside the copy; always a real change. */
  static void damage(Path device, ScrubTargets.Target t, Random rnd) {
    // Tree blocks are hit in their header after the checksum field, whose bytes past the
    // checksum's own length nobody reads, so every change there is damage the checksum shows.
    boolean tree = t.len() > 4096;
    int off = tree ? 0x20 + rnd.nextInt(32) : rnd.nextInt(t.len() / 2);
    int len = 1 + rnd.nextInt(tree ? 32 : t.len() / 2);
    byte[] b;
    switch (rnd.nextInt(3)) {
      case 0 -> {
        b = ScratchImage.read(device, t.physical() + off, len);
        byte[] r = new byte[len];
        do rnd.nextBytes(r);
        while (Arrays.equals(r, b));
        b = r;
      }
      case 1 -> {
        if (t.len() <= 4096) {
          off = 0;
          len = t.len();
        }
        b = new byte[len];
        // Zeros over what already is zero (a header's unused bytes) would damage nothing.
        if (Arrays.equals(b, ScratchImage.read(device, t.physical() + off, len))) {
          ScratchImage.flip(device, t.physical() + off, len);
          return;
        }
      }
      default -> {
        ScratchImage.flip(device, t.physical() + off, len);
        return;
      }
    }
    ScratchImage.write(device, t.physical() + off, b);
  }

  /** The command's words followed by every device of the image set. */
  static String[] args(List<Path> devices, String... words) {
    List<String> out = new ArrayList<>(List.of(words));
    devices.forEach(p -> out.add(p.toString()));
    return out.toArray(new String[0]);
  }

  static long field(String out, String regex) {
    Matcher m = Pattern.compile(regex).matcher(out);
    if (!m.find()) throw new AssertionError("no " + regex + " in:\n" + out);
    return Long.parseLong(m.group(1));
  }

  record Run(int rc, String out, String err) {
    String all() {
      return out + err;
    }
  }

  /** Runs a jbtrfs command in this JVM, capturing its exit status and both streams. */
  static synchronized Run jbtrfs(String... argv) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int rc = new CommandLine(new Main()).execute(argv);
      return new Run(
          rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }
}
