package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `balance start -d`, against the kernel. A kernel-filled filesystem holds what relocation must
 * keep right: a snapshot sharing data and tree blocks with its source, reflinked and
 * partly-overwritten extents, compressed, preallocated (partly written) and nodatasum files, a
 * punched hole, and half-emptied data chunks. After each jbtrfs balance (offline with the usage,
 * limit and vrange filters and with none, then -m and a full balance, then on a live mount while
 * files are written), btrfs check is clean, a kernel mount reads exactly what was there and scrubs
 * clean, and the data used bytes have not grown (shared stays shared). The usage filter picks the
 * groups the kernel's own balance picks on a copy. On two devices, -dconvert=raid1 leaves only
 * RAID1 data, which a degraded kernel mount reads with either device missing, and
 * -dconvert=single,soft goes back. What needs -f without it, bad filters and conversions the
 * devices cannot hold are refused, image unchanged.
 */
class BalanceTest {
  @TempDir Path dir;

  private static final String POPULATE =
      String.join(
          " && ",
          "mkdir plain comp nocow late",
          "btrfs property set comp compression zstd",
          "chattr +C nocow",
          "for i in $(seq 1 24); do head -c 3000000 /dev/urandom > plain/f$i; done",
          "for i in $(seq 1 12); do head -c 1500000 < <(yes \"line $i of compressible text\")"
              + " > comp/c$i; done",
          "for i in 1 2 3; do head -c 1000000 /dev/urandom > nocow/n$i; done",
          "fallocate -l 5000000 prealloc",
          "fallocate -l 9000000 prealloc2",
          "head -c 300000 /dev/urandom | dd of=prealloc2 bs=4096 seek=300 conv=notrunc"
              + " status=none",
          "cp --reflink=always plain/f1 reflink1",
          "head -c 100000 /dev/urandom | dd of=reflink1 bs=4096 seek=100 conv=notrunc status=none",
          "btrfs -q subvolume create sub",
          "cp --reflink=always plain/f2 sub/shared",
          "head -c 700000 /dev/urandom > sub/own",
          "sync",
          "btrfs -q subvolume snapshot . snap",
          "head -c 200000 /dev/urandom | dd of=plain/f3 bs=4096 seek=40 conv=notrunc status=none",
          "rm plain/f4 snap/plain/f5",
          "fallocate -p -o 1000000 -l 500000 plain/f6",
          "for i in $(seq 1 30); do head -c 3000000 /dev/urandom > late/l$i; done",
          "sync",
          "for i in $(seq 1 30 | grep -v '[05]$'); do rm late/l$i; done",
          "sync");

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @Test
  void filtersOfflineThenFullThenLiveAndTheKernelAgrees() throws Exception {
    ScratchImage img = ScratchImage.create(dir, "bal", 1L << 30, 1, List.of(), POPULATE);
    Path image = img.image();
    Manifest before = kernelManifest(List.of(image), "k0");
    BlockGroupUsage used0 = BlockGroupUsage.of(image);

    // The kernel's own choice for usage=50 on a copy, to compare with ours.
    Path copy = dir.resolve("kernel-copy.img");
    Cmd.run(List.of("cp", "--sparse=always", image.toString(), copy.toString())).check();
    int kernelRelocated;
    try (Loop loop = Loop.attach(List.of(copy));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), dir.resolve("kcopy"))) {
      String out =
          Cmd.run(List.of("btrfs", "balance", "start", "-dusage=50", k.path().toString()))
              .check()
              .out();
      kernelRelocated = relocated(out);
    }

    ScrubRepairTest.Run usage =
        ScrubRepairTest.jbtrfs("balance", "start", "-dusage=50", image.toString());
    assertThat(usage.rc()).as(usage.all()).isZero();
    assertThat(relocated(usage.out()))
        .as("groups under 50%% used that jbtrfs relocated, against the kernel's on a copy")
        .isEqualTo(kernelRelocated)
        .isPositive();
    assertUnchanged(image, before, used0, "after -dusage=50");

    List<Long> dataChunks = dataChunks(image);
    ScrubRepairTest.Run limit =
        ScrubRepairTest.jbtrfs("balance", "start", "-dlimit=1", image.toString());
    assertThat(limit.rc()).as(limit.all()).isZero();
    assertThat(relocated(limit.out())).as(limit.all()).isEqualTo(1);
    List<Long> afterLimit = dataChunks(image);
    assertThat(afterLimit)
        .as("limit=1 moved the highest data chunk only")
        .doesNotContain(dataChunks.get(dataChunks.size() - 1))
        .containsAll(dataChunks.subList(0, dataChunks.size() - 1));
    assertUnchanged(image, before, used0, "after -dlimit=1");

    long lowest = afterLimit.get(0);
    ScrubRepairTest.Run vrange =
        ScrubRepairTest.jbtrfs("balance", "start", "-dvrange=0.." + (lowest + 1), image.toString());
    assertThat(vrange.rc()).as(vrange.all()).isZero();
    assertThat(relocated(vrange.out())).as(vrange.all()).isEqualTo(1);
    assertThat(dataChunks(image)).as("vrange moved the chunk it names").doesNotContain(lowest);
    assertUnchanged(image, before, used0, "after -dvrange");

    List<Long> metaBefore = metadataChunks(image);
    ScrubRepairTest.Run all = ScrubRepairTest.jbtrfs("balance", "start", "-d", image.toString());
    assertThat(all.rc()).as(all.all()).isZero();
    assertThat(relocated(all.out())).as(all.all()).isEqualTo(dataChunks(image).size());
    assertUnchanged(image, before, used0, "after a full data balance");

    ScrubRepairTest.Run meta = ScrubRepairTest.jbtrfs("balance", "start", "-m", image.toString());
    assertThat(meta.rc()).as(meta.all()).isZero();
    assertThat(relocated(meta.out()))
        .as("-m moves the metadata and system groups")
        .isGreaterThanOrEqualTo(2);
    assertThat(metadataChunks(image))
        .as("no chunk of before -m is left")
        .doesNotContainAnyElementsOf(metaBefore);
    assertUnchanged(image, before, used0, "after -m");

    ScrubRepairTest.Run full =
        ScrubRepairTest.jbtrfs("balance", "start", "--full-balance", image.toString());
    assertThat(full.rc()).as(full.all()).isZero();
    assertUnchanged(image, before, used0, "after --full-balance");

    // Live: the balance runs through the mountpoint while files are written beside it.
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Manifest shown;
    try (RwFuseMount m = RwFuseMount.mount(image, mnt, "noatime")) {
      Thread writer =
          new Thread(
              () -> {
                try {
                  java.util.SplittableRandom r = new java.util.SplittableRandom(3);
                  for (int i = 0; i < 20; i++) {
                    byte[] b = new byte[200_000 + i * 1000];
                    for (int k = 0; k < b.length; k++) b[k] = (byte) r.nextInt();
                    Files.write(mnt.resolve("during" + i), b);
                  }
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              });
      writer.start();
      ScrubRepairTest.Run live = ScrubRepairTest.jbtrfs("balance", "start", "-d", mnt.toString());
      writer.join();
      assertThat(live.rc()).as(live.all()).isZero();
      assertThat(relocated(live.out())).as(live.all()).isPositive();
      shown = ManifestReader.read(mnt);
    }
    BtrfsCheck.assertClean(image, "after a live balance");
    List<String> k =
        madeUp(Manifest.diff(shown, kernelManifest(List.of(image), "k9"), Set.of("atime")));
    assertThat(k).as("the kernel after a live balance: " + Manifest.report(k, 20)).isEmpty();
    List<String> d = madeUp(Manifest.diff(before, shown, Set.of("atime", "ctime", "mtime")));
    assertThat(d)
        .as("a live balance changes nothing but the files written beside it")
        .allMatch(l -> l.contains("during") || l.startsWith("\".\": size"));
  }

  /**
   * Tree blocks shared by snapshots stay shared: three snapshots of a subvolume of 4,000 small
   * files (several hundred leaves each tree reaches), a few files changed on each side so that some
   * blocks are shared through FULL_BACKREF parents, and big files whose extents a data balance
   * moves (so the leaves naming them are rewritten). Copying a shared block once per tree would add
   * several MiB of metadata; after -d and after -m the metadata used bytes are what they were, give
   * or take a few blocks of the extent and checksum trees, and the kernel's own -m on a copy is
   * reported beside them.
   */
  @Test
  void snapshotsKeepSharingTheirTreeBlocks() throws Exception {
    String populate =
        String.join(
            " && ",
            "mkdir d",
            "for i in $(seq 1 4000); do echo \"file $i\" > d/f$i; done",
            "for i in $(seq 1 12); do head -c 2000000 /dev/urandom > big$i; done",
            "sync",
            "btrfs -q subvolume snapshot . s1",
            "btrfs -q subvolume snapshot . s2",
            "btrfs -q subvolume snapshot -r . s3",
            "echo changed >> d/f10",
            "echo changed >> s1/d/f2000",
            "rm s2/d/f3000 s2/big3",
            "head -c 100000 /dev/urandom | dd of=s1/big5 bs=4096 seek=10 conv=notrunc status=none",
            "sync");
    ScratchImage img = ScratchImage.create(dir, "shared", 1L << 30, 1, List.of(), populate);
    Path image = img.image();
    Manifest before = kernelManifest(List.of(image), "k0");
    BlockGroupUsage used0 = BlockGroupUsage.of(image);
    long slack = 8L * 16384;

    Path copy = dir.resolve("kernel-copy.img");
    Cmd.run(List.of("cp", "--sparse=always", image.toString(), copy.toString())).check();
    try (Loop loop = Loop.attach(List.of(copy));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), dir.resolve("kcopy"))) {
      Cmd.run(List.of("btrfs", "balance", "start", "-d", "-m", k.path().toString())).check();
    }
    BlockGroupUsage kernel = BlockGroupUsage.of(copy);
    Files.delete(copy);

    ScrubRepairTest.Run data = ScrubRepairTest.jbtrfs("balance", "start", "-d", image.toString());
    assertThat(data.rc()).as(data.all()).isZero();
    assertThat(relocated(data.out())).as(data.all()).isPositive();
    assertUnchanged(image, before, used0, "after -d with snapshots");
    BlockGroupUsage afterData = BlockGroupUsage.of(image);

    ScrubRepairTest.Run meta = ScrubRepairTest.jbtrfs("balance", "start", "-m", image.toString());
    assertThat(meta.rc()).as(meta.all()).isZero();
    assertUnchanged(image, before, used0, "after -m with snapshots");
    BlockGroupUsage afterMeta = BlockGroupUsage.of(image);
    System.out.println(
        "metadata used: before "
            + used0.metadata()
            + ", after jbtrfs -d "
            + afterData.metadata()
            + ", after jbtrfs -m "
            + afterMeta.metadata()
            + "; the kernel's -d -m on a copy: "
            + kernel.metadata());
    assertThat(afterData.metadata())
        .as("metadata used after -d (shared leaves rewritten once)")
        .isLessThanOrEqualTo(used0.metadata() + slack);
    assertThat(afterMeta.metadata())
        .as("metadata used after -m (shared blocks moved once)")
        .isLessThanOrEqualTo(used0.metadata() + slack);
  }

  @Test
  void convertSingleToRaid1AndBack() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "conv",
            600L << 20,
            2,
            List.of("-d", "single", "-m", "raid1"),
            "for i in $(seq 1 20); do head -c 3000000 /dev/urandom > f$i; done && btrfs -q"
                + " subvolume snapshot . snap && rm f3 f7 && sync");
    List<Path> devs = img.devices();
    Manifest before = kernelManifest(devs, "k0");
    BlockGroupUsage used0 = BlockGroupUsage.of(img.image());

    ScrubRepairTest.Run up = balance(devs, "-dconvert=raid1");
    assertThat(up.rc()).as(up.all()).isZero();
    String usage = kernelUsage(devs);
    assertThat(usage).as(usage).contains("Data,RAID1").doesNotContain("Data,single");
    assertThat(BlockGroupUsage.of(img.image()).data())
        .as("data used after converting to raid1")
        .isEqualTo(used0.data());
    try (Loop loop = Loop.attach(devs)) {
      KernelMount.assertReadsBack(loop, dir.resolve("k1"), before, "after -dconvert=raid1");
    }
    Map<String, String> want = new TreeMap<>();
    for (int i = 1; i <= 20; i++) {
      if (i != 3 && i != 7) want.put("f" + i, before.entries().get("f" + i).get("sha256"));
      want.put("snap/f" + i, before.entries().get("snap/f" + i).get("sha256"));
    }
    for (Set<Integer> missing : DegradedReads.missingSets(2, 1)) {
      DegradedReads.assertBothRead(devs, missing, dir, want, "raid1 after the convert");
    }

    ScrubRepairTest.Run down = balance(devs, "-dconvert=single,soft");
    assertThat(down.rc()).as(down.all()).isZero();
    String back = kernelUsage(devs);
    assertThat(back).as(back).contains("Data,single").doesNotContain("Data,RAID1");
    try (Loop loop = Loop.attach(devs)) {
      KernelMount.assertReadsBack(loop, dir.resolve("k2"), before, "after -dconvert=single");
    }
    ScrubRepairTest.Run again = balance(devs, "-dconvert=single,soft");
    assertThat(relocated(again.out())).as("soft skips groups already converted").isZero();
  }

  /**
   * single -> raid1 -> raid10 -> raid1c3 -> dup -> single, data and metadata (and system with it),
   * adding devices for each profile that needs them and removing them when it no longer does. After
   * each step the kernel's `filesystem usage` shows only the new profile, the kernel reads exactly
   * what was there and scrubs clean, btrfs check is clean and the data used bytes (counted once,
   * whatever the copies) have not changed.
   */
  @Test
  void convertThroughEveryProfileAddingAndRemovingDevices() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "chain",
            600L << 20,
            1,
            List.of("-d", "single", "-m", "dup"),
            "mkdir comp && btrfs property set comp compression zstd && for i in $(seq 1 10);"
                + " do head -c 4000000 /dev/urandom > f$i; head -c 2000000 < <(yes text $i) >"
                + " comp/c$i; done && btrfs -q subvolume snapshot . snap && rm f3 && head -c"
                + " 300000 /dev/urandom > snap/own && sync");
    List<Path> devs = new ArrayList<>(img.devices());
    Manifest before = kernelManifest(devs, "k0");
    BlockGroupUsage used0 = BlockGroupUsage.of(devs.get(0));
    for (int i = 2; i <= 4; i++) {
      Path p = dir.resolve("chain" + i + ".img");
      Loop.createSparse(p, 600L << 20);
    }
    String[][] steps = {
      {"add", "chain2.img"},
      {"convert", "raid1", "2"},
      {"add", "chain3.img", "chain4.img"},
      {"convert", "raid10", "2"},
      {"remove", "4"},
      {"convert", "raid1c3", "3"},
      {"convert", "dup", "2"},
      {"remove", "3"},
      {"remove", "2"},
      {"convert", "single", "1"},
    };
    for (String[] step : steps) {
      String what = String.join(" ", step);
      List<String> argv = new ArrayList<>();
      switch (step[0]) {
        case "add" -> {
          argv.addAll(List.of("device", "add"));
          for (int i = 1; i < step.length; i++) argv.add(dir.resolve(step[i]).toString());
        }
        case "remove" -> argv.addAll(List.of("device", "remove", step[1]));
        default ->
            argv.addAll(
                List.of("balance", "start", "-f", "-dconvert=" + step[1], "-mconvert=" + step[1]));
      }
      argv.add(devs.get(0).toString());
      for (Path p : devs.subList(1, devs.size())) argv.addAll(List.of("--device", p.toString()));
      ScrubRepairTest.Run r = ScrubRepairTest.jbtrfs(argv.toArray(new String[0]));
      assertThat(r.rc()).as(what + ": " + r.all()).isZero();
      if (step[0].equals("add")) {
        for (int i = 1; i < step.length; i++) devs.add(dir.resolve(step[i]));
        continue;
      }
      if (step[0].equals("remove")) devs.remove(Integer.parseInt(step[1]) - 1);
      try (Loop loop = Loop.attach(devs)) {
        String show = KernelMount.assertReadsBack(loop, dir.resolve("kc"), before, "after " + what);
        assertThat(show).as(what).contains("Total devices " + devs.size());
      }
      if (step[0].equals("convert")) {
        String usage = kernelUsage(devs);
        String want = step[1].equals("single") ? "single" : step[1].toUpperCase();
        for (String type : List.of("Data", "Metadata", "System")) {
          assertThat(profiles(usage, type)).as(what + ": " + usage).containsExactly(want);
        }
        try (Loop loop = Loop.attach(devs)) {
          // Through the loop devices: btrfs-progs finds the other members by scanning them.
          assertThat(BlockGroupUsage.of(Path.of(loop.devices().get(0))).data())
              .as("data used after " + what)
              .isEqualTo(used0.data());
        }
      }
    }
  }

  /**
   * A balance started while a deleted snapshot is still being dropped (a leaf per commit, so it is)
   * finishes the drop first, then relocates: what is left reads back through the kernel, btrfs
   * check is clean and the snapshot is gone.
   */
  @Test
  void balanceFinishesADropInProgressFirst() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "drop",
            1L << 30,
            1,
            List.of(),
            "mkdir d && for i in $(seq 1 3000); do echo $i > d/f$i; done && for i in $(seq 1 8);"
                + " do head -c 3000000 /dev/urandom > big$i; done && sync && btrfs -q subvolume"
                + " snapshot . snap && rm big2 && echo new > d/f1 && sync");
    Path image = img.image();
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Manifest shown;
    try (RwFuseMount m =
        RwFuseMount.mount(List.of(image), mnt, "noatime", "-Djbtrfs.dropLeavesPerCommit=1")) {
      ScrubRepairTest.Run del =
          ScrubRepairTest.jbtrfs("subvolume", "delete", mnt.resolve("snap").toString());
      assertThat(del.rc()).as(del.all()).isZero();
      ScrubRepairTest.Run bal = ScrubRepairTest.jbtrfs("balance", "start", "-d", mnt.toString());
      assertThat(bal.rc()).as(bal.all()).isZero();
      assertThat(relocated(bal.out())).as(bal.all()).isPositive();
      shown = ManifestReader.read(mnt);
    }
    assertThat(shown.entries().keySet()).noneMatch(p -> p.startsWith("snap"));
    String roots =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "root", image.toString()))
            .check()
            .out();
    assertThat(roots).as("no orphan item is left").doesNotContain("ORPHAN_ITEM");
    try (Loop loop = Loop.attach(List.of(image))) {
      KernelMount.assertReadsBack(loop, dir.resolve("kd"), shown, "after the balance");
    }
  }

  /** The profiles `btrfs filesystem usage` lists for a type ("Data,RAID1: ..." lines). */
  private static Set<String> profiles(String usage, String type) {
    Set<String> out = new java.util.TreeSet<>();
    Matcher m = Pattern.compile("(?m)^" + type + ",([A-Za-z0-9]+):").matcher(usage);
    while (m.find()) out.add(m.group(1));
    return out;
  }

  /**
   * The kernel (6.18), converting a RAID1 pair of 2 GiB devices holding ~450 MB and a snapshot to
   * `-dconvert=single -mconvert=dup`, aborted its transaction with ENOSPC and went read-only.
   * jbtrfs, on the same case through a live mount, completes or stops with ENOSPC before changing
   * what it cannot finish, and stays read-write: a file written afterwards reads back, btrfs check
   * is clean and the kernel reads everything.
   */
  @Test
  void tightConversionNeverAborts() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "tight",
            2L << 30,
            2,
            List.of("-d", "raid1", "-m", "raid1"),
            "for i in $(seq 1 45); do head -c 10000000 /dev/urandom > f$i; done && mkdir small"
                + " && for i in $(seq 1 2000); do echo $i > small/s$i; done && sync && btrfs -q"
                + " subvolume snapshot . snap && rm f1 f2 && head -c 5000000 /dev/urandom >"
                + " snap/own && sync");
    List<Path> devs = img.devices();
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Manifest shown;
    try (RwFuseMount m = RwFuseMount.mount(devs, mnt, "noatime")) {
      ScrubRepairTest.Run r =
          ScrubRepairTest.jbtrfs(
              "balance", "start", "-f", "-dconvert=single", "-mconvert=dup", mnt.toString());
      System.out.println("tight conversion: rc " + r.rc() + ": " + r.all());
      assertThat(r.rc() == 0 || r.all().contains("No space left on device"))
          .as("completes or stops with ENOSPC: " + r.all())
          .isTrue();
      byte[] b = new byte[3_000_000];
      new java.util.Random(9).nextBytes(b);
      Files.write(mnt.resolve("after"), b);
      assertThat(Files.readAllBytes(mnt.resolve("after"))).as("still read-write").isEqualTo(b);
      shown = ManifestReader.read(mnt);
    }
    try (Loop loop = Loop.attach(devs)) {
      KernelMount.assertReadsBack(loop, dir.resolve("kt"), shown, "after the tight conversion");
    }
  }

  @Test
  void shrinkMovesWhatLiesBeyondOfflineAndLive() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "shrink",
            1L << 30,
            1,
            List.of(),
            "for i in $(seq 1 40); do head -c 3000000 /dev/urandom > f$i; done && btrfs -q"
                + " subvolume snapshot . snap && rm f1 f5 f9 && sync");
    Path image = img.image();
    Manifest before = kernelManifest(List.of(image), "k0");
    BlockGroupUsage used0 = BlockGroupUsage.of(image);
    ScrubRepairTest.Run offline =
        ScrubRepairTest.jbtrfs("filesystem", "resize", "1:700m", image.toString());
    assertThat(offline.rc()).as(offline.all()).isZero();
    assertUnchanged(image, before, used0, "after shrinking to 700 MiB");
    assertThat(deviceSize(image)).isEqualTo(700L << 20);

    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    try (RwFuseMount m = RwFuseMount.mount(image, mnt, "noatime")) {
      ScrubRepairTest.Run live =
          ScrubRepairTest.jbtrfs("filesystem", "resize", "1:-200m", mnt.toString());
      assertThat(live.rc()).as(live.all()).isZero();
      ScrubRepairTest.Run tooSmall =
          ScrubRepairTest.jbtrfs("filesystem", "resize", "1:100m", mnt.toString());
      assertThat(tooSmall.rc()).as("100 MiB cannot hold 110 MB: " + tooSmall.all()).isNotZero();
    }
    assertUnchanged(image, before, used0, "after shrinking through the mount");
    assertThat(deviceSize(image)).isEqualTo(500L << 20);
    try (Loop loop = Loop.attach(List.of(image));
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("kf"), "")) {
      String show =
          Cmd.run(List.of("btrfs", "filesystem", "show", k.path().toString())).check().out();
      assertThat(show).as(show).contains("size 500.00MiB");
    }
  }

  @Test
  void liveStatusCancelPauseAndResume() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "cancel",
            1L << 30,
            1,
            List.of(),
            "for i in $(seq 1 1500); do head -c 65536 /dev/urandom > f$i; done && sync");
    Path image = img.image();
    Manifest before = kernelManifest(List.of(image), "k0");
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    String at = mnt.toString();
    ScrubRepairTest.Run[] started = new ScrubRepairTest.Run[1];
    // One 64 KiB extent per step and a pause after each: still running when cancel comes.
    try (RwFuseMount m =
        RwFuseMount.mount(
            List.of(image),
            mnt,
            "noatime",
            "-Djbtrfs.balanceStepBytes=4096 -Djbtrfs.balanceStepPauseMillis=20")) {
      assertThat(ScrubRepairTest.jbtrfs("balance", "status", at).out())
          .contains("No balance found on '" + at + "'");
      Thread t = new Thread(() -> started[0] = unsynchronized("balance", "start", "-d", at));
      t.start();
      String status = "";
      for (int i = 0; i < 300 && !status.contains("is running"); i++) {
        Thread.sleep(100);
        status = ScrubRepairTest.jbtrfs("balance", "status", at).out();
      }
      assertThat(status)
          .as(
              "status while it runs (start: "
                  + (started[0] == null ? "running" : started[0].all())
                  + ")")
          .contains("Balance on '" + at + "' is running");
      ScrubRepairTest.Run cancel = ScrubRepairTest.jbtrfs("balance", "cancel", at);
      assertThat(cancel.rc()).as(cancel.all()).isZero();
      t.join();
      assertThat(started[0].rc()).as(started[0].all()).isNotZero();
      assertThat(started[0].err()).as(started[0].all()).contains("Operation canceled");
      assertThat(ScrubRepairTest.jbtrfs("balance", "status", at).out())
          .contains("No balance found");
      ScrubRepairTest.Run again = ScrubRepairTest.jbtrfs("balance", "cancel", at);
      assertThat(again.rc()).isNotZero();
      assertThat(again.err()).contains("Not in progress");

      // Pause keeps the balance recorded, for this mount and the next.
      t = new Thread(() -> started[0] = unsynchronized("balance", "start", "-d", at));
      t.start();
      awaitRunning(at);
      ScrubRepairTest.Run pause = ScrubRepairTest.jbtrfs("balance", "pause", at);
      assertThat(pause.rc()).as(pause.all()).isZero();
      t.join();
      assertThat(ScrubRepairTest.jbtrfs("balance", "status", at).out()).contains("is paused");
    }
    assertThat(
            Cmd.run(
                    List.of(
                        "btrfs", "inspect-internal", "dump-tree", "-t", "root", image.toString()))
                .check()
                .out())
        .as("the paused balance's item, as btrfs-progs reads it")
        .contains("BALANCE TEMPORARY_ITEM 0");
    // skip_balance: still paused after the remount, until resumed.
    try (RwFuseMount m =
        RwFuseMount.mount(
            List.of(image),
            mnt,
            "noatime,skip_balance",
            "-Djbtrfs.balanceStepBytes=4096 -Djbtrfs.balanceStepPauseMillis=20")) {
      assertThat(ScrubRepairTest.jbtrfs("balance", "status", at).out())
          .as("after a remount with skip_balance")
          .contains("is paused");
      ScrubRepairTest.Run resume = ScrubRepairTest.jbtrfs("balance", "resume", at);
      assertThat(resume.rc()).as(resume.all()).isZero();
      assertThat(ScrubRepairTest.jbtrfs("balance", "status", at).out())
          .contains("No balance found");
    }
    BtrfsCheck.assertClean(image, "after a canceled balance");
    List<String> d = Manifest.diff(before, kernelManifest(List.of(image), "k1"), Set.of("atime"));
    assertThat(d).as("the kernel after a canceled balance: " + Manifest.report(d, 20)).isEmpty();
  }

  /** Waits until `balance status` shows a balance running on {@code at}. */
  private static void awaitRunning(String at) throws InterruptedException {
    String status = "";
    for (int i = 0; i < 300 && !status.contains("is running"); i++) {
      Thread.sleep(100);
      status = ScrubRepairTest.jbtrfs("balance", "status", at).out();
    }
    assertThat(status).as("status while it runs").contains("Balance on '" + at + "' is running");
  }

  /** Runs a jbtrfs command in this JVM beside others; only its failure message is kept. */
  private static ScrubRepairTest.Run unsynchronized(String... argv) {
    String[] failure = {""};
    int rc =
        new picocli.CommandLine(new org.jbtrfs.cli.Main())
            .setExecutionExceptionHandler(
                (ex, cmd, parsed) -> {
                  failure[0] = String.valueOf(ex.getMessage());
                  return 1;
                })
            .execute(argv);
    return new ScrubRepairTest.Run(rc, "", failure[0]);
  }

  /** The device's size in its dev item, from btrfs-progs' dump of the superblock. */
  private static long deviceSize(Path image) {
    String sb =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", image.toString())).check().out();
    Matcher m = Pattern.compile("(?m)^dev_item\\.total_bytes\\s+(\\d+)").matcher(sb);
    if (!m.find()) throw new AssertionError("no dev_item.total_bytes in:\n" + sb);
    return Long.parseLong(m.group(1));
  }

  @Test
  void refusesWhatItCannotDo() throws Exception {
    ScratchImage img =
        ScratchImage.create(
            dir, "ref", 300L << 20, 1, List.of(), "head -c 1000000 /dev/urandom > f && sync");
    byte[] before = Files.readAllBytes(img.image());
    for (String[] args :
        List.of(
            new String[] {"-s"},
            new String[] {"-mconvert=single"},
            new String[] {"-dusage=abc"},
            new String[] {"-ddrange=0..100"},
            new String[] {"-dconvert=raid1"},
            new String[] {"-dbogus=1"})) {
      List<String> argv = new ArrayList<>(List.of("balance", "start"));
      argv.addAll(List.of(args));
      argv.add(img.image().toString());
      ScrubRepairTest.Run r = ScrubRepairTest.jbtrfs(argv.toArray(new String[0]));
      assertThat(r.rc()).as(String.join(" ", argv) + ": " + r.all()).isNotZero();
      assertThat(r.err()).as(r.all()).isNotBlank();
    }
    assertThat(Files.readAllBytes(img.image())).as("the image after refusals").isEqualTo(before);
  }

  private void assertUnchanged(Path image, Manifest before, BlockGroupUsage used0, String when) {
    BtrfsCheck.assertClean(image, when);
    BlockGroupUsage now = BlockGroupUsage.of(image);
    assertThat(now.data())
        .as("data used bytes " + when + " (shared stays shared)")
        .isEqualTo(used0.data());
    List<String> d =
        madeUp(Manifest.diff(before, kernelManifest(List.of(image), "kc"), Set.of("atime")));
    assertThat(d).as("the kernel " + when + ": " + Manifest.report(d, 20)).isEmpty();
    try (Loop loop = Loop.attach(List.of(image));
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("ks"), "")) {
      k.assertScrubClean();
    }
  }

  /**
   * Without the times of a snapshot's placeholder for a nested subvolume (snap/sub here, s2/s1 and
   * the like in the sharing test), which the kernel makes up when it first looks the directory up
   * on each mount.
   */
  private static List<String> madeUp(List<String> diff) {
    return diff.stream()
        .filter(l -> !l.matches("\"(snap/sub|s[0-9]/s[0-9])\": [cm]time .*"))
        .toList();
  }

  /** `balance start ARG` offline on the device set {@code devs} (the first as the image). */
  private static ScrubRepairTest.Run balance(List<Path> devs, String arg) {
    List<String> argv = new ArrayList<>(List.of("balance", "start", arg, devs.get(0).toString()));
    for (Path p : devs.subList(1, devs.size())) argv.addAll(List.of("--device", p.toString()));
    return ScrubRepairTest.jbtrfs(argv.toArray(new String[0]));
  }

  private Manifest kernelManifest(List<Path> devs, String name) {
    try (Loop loop = Loop.attach(devs);
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve(name), "")) {
      return ManifestReader.read(k.path());
    }
  }

  private String kernelUsage(List<Path> devs) {
    try (Loop loop = Loop.attach(devs);
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("ku"), "")) {
      return Cmd.run(List.of("btrfs", "filesystem", "usage", k.path().toString())).check().out();
    }
  }

  private static final Pattern DONE = Pattern.compile("had to relocate (\\d+) out of (\\d+)");

  private static int relocated(String out) {
    Matcher m = DONE.matcher(out);
    if (!m.find()) throw new AssertionError("no balance summary in: " + out);
    System.out.println("balance: " + m.group());
    return Integer.parseInt(m.group(1));
  }

  /** Logical starts of the data chunks, lowest first, from btrfs-progs' dump of the chunk tree. */
  private static List<Long> dataChunks(Path image) {
    return chunks(image, "DATA");
  }

  private static List<Long> metadataChunks(Path image) {
    List<Long> out = new ArrayList<>(chunks(image, "METADATA"));
    out.addAll(chunks(image, "SYSTEM"));
    return out;
  }

  private static List<Long> chunks(Path image, String type) {
    String dump =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "chunk", image.toString()))
            .check()
            .out();
    List<Long> out = new ArrayList<>();
    Matcher m = Pattern.compile("CHUNK_ITEM (\\d+)\\)[^\\n]*\\n[^\\n]*type " + type).matcher(dump);
    while (m.find()) out.add(Long.parseLong(m.group(1)));
    return out;
  }
}
