package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * jbtrfs writing to multi-device filesystems of every profile, RAID5/6 included, against the
 * kernel.
 *
 * <p>Each configuration is formatted once and copied, so the kernel and jbtrfs start from the same
 * bytes. The kernel copies a set of big files into one copy, jbtrfs puts the same files into the
 * other: the new data chunks must be identical (logical address, length, type, sub_stripes, and
 * every stripe's device and offset), since both run the same allocator rules from the same state.
 * jbtrfs then puts a tree of small files (metadata heavy) that needs new metadata chunks, which
 * must have the profile's stripe count on distinct devices. Finally, on the jbtrfs copy: btrfs
 * check is clean, every device's bytes_used equals its dev extents, a kernel mount reads every file
 * with the right sha256, and for redundant profiles a degraded kernel mount missing one device
 * still does. For RAID5/6 every device is left out in turn (every pair too for RAID6), by a
 * degraded kernel mount and by a degraded jbtrfs mount, and the kernel's scrub, which checks P and
 * Q against the data, finds nothing wrong.
 */
class MultiDeviceWriteTest {
  private static final long MiB = 1L << 20;

  /** Enough inline files that their metadata needs a new chunk even in well-filled leaves. */
  private static final int SMALL_FILES = 60_000;

  /** One filesystem layout: mkfs profiles, device sizes, and how much big-file data to write. */
  record Config(
      String data,
      String metadata,
      long[] deviceMiB,
      long dataMiB,
      int minNewDataChunks,
      boolean survivesOneMissing) {
    @Override
    public String toString() {
      StringBuilder b = new StringBuilder("-d " + data + " -m " + metadata + " on");
      for (long s : deviceMiB) b.append(' ').append(s).append("M");
      return b.toString();
    }
  }

  static Stream<Config> configs() {
    return Stream.of(
        new Config("raid0", "raid1", new long[] {384, 384, 384}, 400, 2, false),
        new Config("raid1", "raid1c3", new long[] {512, 512, 512, 512}, 400, 2, true),
        new Config("raid10", "raid10", new long[] {384, 384, 384, 384}, 400, 2, true),
        // Four copies of everything: room for one new data chunk and the metadata chunks after.
        new Config("raid1c4", "raid1c4", new long[] {512, 512, 512, 512}, 240, 1, true),
        new Config("single", "raid1", new long[] {256, 384, 640}, 560, 2, false),
        new Config("dup", "dup", new long[] {1024}, 224, 2, false),
        // RAID5/6 with room left: the kernel's scrub needs free space to set groups read-only.
        new Config("raid5", "raid1", new long[] {512, 512, 512}, 400, 2, true),
        new Config("raid6", "raid1c3", new long[] {384, 384, 384, 384}, 320, 2, true),
        new Config("raid5", "raid5", new long[] {512, 512, 512}, 400, 2, true),
        new Config("raid6", "raid6", new long[] {384, 384, 384, 384, 384}, 400, 2, true),
        new Config("raid5", "raid1c3", new long[] {256, 384, 512, 640}, 560, 2, true));
  }

  @TempDir static Path shared;
  private static Path bigFiles;
  private static Path smallFiles;

  @BeforeAll
  static void sources() throws IOException {
    Environment.requireOracleHost();
    bigFiles = Files.createDirectories(shared.resolve("big"));
    for (int i = 0; i < 560 / 16; i++) {
      ImageFiles.randomFile(bigFiles.resolve(String.format("f%02d", i)), 16 * MiB, 1000 + i);
    }
    // Inline-sized files: nearly all of their bytes land in metadata.
    smallFiles = Files.createDirectories(shared.resolve("small"));
    SplittableRandom r = new SplittableRandom(42);
    byte[] buf = new byte[1800];
    for (int d = 0; d < SMALL_FILES / 200; d++) {
      Path dir = Files.createDirectories(smallFiles.resolve(String.format("d%03d", d)));
      for (int f = 0; f < 200; f++) {
        for (int i = 0; i < buf.length; i++) buf[i] = (byte) r.nextInt(256);
        Files.write(dir.resolve(String.format("f%03d", f)), buf);
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configs")
  void allocatesAndWritesLikeTheKernel(Config c, @TempDir Path tmp) throws Exception {
    long t0 = System.nanoTime();
    List<Path> jimgs = new ArrayList<>();
    List<Path> kimgs = new ArrayList<>();
    for (int i = 0; i < c.deviceMiB().length; i++) {
      jimgs.add(tmp.resolve("j" + (i + 1) + ".img"));
      kimgs.add(tmp.resolve("k" + (i + 1) + ".img"));
      Loop.createSparse(jimgs.get(i), c.deviceMiB()[i] * MiB);
    }
    List<String> mkfs =
        new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f", "-d", c.data(), "-m", c.metadata()));
    for (Path p : jimgs) mkfs.add(p.toString());
    Cmd.run(mkfs).check();
    for (int i = 0; i < jimgs.size(); i++) {
      Cmd.run(List.of("cp", "--sparse=always", jimgs.get(i).toString(), kimgs.get(i).toString()))
          .check();
    }
    List<Path> big = bigSubset(c.dataMiB());
    Path bigDir = Files.createDirectories(tmp.resolve("big"));
    for (Path f : big) Files.createLink(bigDir.resolve(f.getFileName()), f);

    DeviceSetDump before = dump(jimgs);

    // The kernel writes the big files into its copy.
    DeviceSetDump kernel;
    try (Loop loop = Loop.attach(kimgs)) {
      try (KernelMount km = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
        Path d = Files.createDirectories(km.path().resolve("d"));
        for (Path f : big) Files.copy(f, d.resolve(f.getFileName()));
        Cmd.run(List.of("sync", "-f", km.path().toString())).check();
      }
      kernel = DeviceSetDump.of(loop.devices());
    }

    // jbtrfs writes the same files into its copy.
    JbtrfsCli.run(put(jimgs, bigDir.toString(), "/d"));
    DeviceSetDump afterData = dump(jimgs);
    List<String> kernelNew = newChunks(before, kernel, "DATA");
    List<String> jbtrfsNew = newChunks(before, afterData, "DATA");
    System.out.printf(
        "%s: new data chunks, kernel %d, jbtrfs %d:%n  kernel %s%n  jbtrfs %s%n",
        c, kernelNew.size(), jbtrfsNew.size(), kernelNew, jbtrfsNew);
    assertTrue(
        jbtrfsNew.size() >= c.minNewDataChunks(),
        c + ": expected at least " + c.minNewDataChunks() + " new data chunks: " + jbtrfsNew);
    int common = Math.min(kernelNew.size(), jbtrfsNew.size());
    assertTrue(
        Math.abs(kernelNew.size() - jbtrfsNew.size()) <= 1,
        c + ": kernel made " + kernelNew + " but jbtrfs " + jbtrfsNew);
    assertEquals(
        kernelNew.subList(0, common),
        jbtrfsNew.subList(0, common),
        c + ": jbtrfs placed data chunks differently from the kernel");

    // Metadata-heavy tree: new metadata chunks.
    JbtrfsCli.run(put(jimgs, smallFiles.toString(), "/s"));
    DeviceSetDump after = dump(jimgs);
    List<DeviceSetDump.Chunk> newMeta = newChunkItems(before, after, "METADATA");
    System.out.printf(
        "%s: new metadata chunks by jbtrfs: %s%n",
        c, newMeta.stream().map(DeviceSetDump.Chunk::describe).toList());
    assertTrue(!newMeta.isEmpty(), c + ": the small files added no metadata chunk");
    int devices = c.deviceMiB().length;
    for (DeviceSetDump.Chunk ch : newChunkItems(before, after, "")) {
      checkShape(c, ch, devices);
    }

    for (Map.Entry<Long, Long> e : after.bytesUsed.entrySet()) {
      assertEquals(
          after.devExtentBytes.getOrDefault(e.getKey(), 0L),
          e.getValue(),
          c + ": device " + e.getKey() + " bytes_used differs from its dev extents");
    }

    Map<String, String> want = new TreeMap<>();
    for (Path f : big) want.put("d/" + f.getFileName(), sha256(f));
    try (Stream<Path> s = Files.walk(smallFiles)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) {
        want.put("s/" + smallFiles.relativize(f), sha256(f));
      }
    }
    try (Loop loop = Loop.attach(jimgs)) {
      Cmd.run(concat(List.of("btrfs", "device", "scan"), loop.devices())).check();
      Cmd.Result check =
          Cmd.run(List.of("btrfs", "check", "--readonly", loop.devices().get(0)), null, 600);
      String text = check.out() + check.stderr();
      assertEquals(0, check.exitCode(), c + ": btrfs check failed:\n" + text);
      assertTrue(
          !text.replace("no error found", "").matches("(?s).*(ERROR|error|wrong|mismatch).*"),
          c + ": btrfs check reports problems:\n" + text);
      try (KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("vmnt"), "")) {
        assertEquals(want, digests(km.path(), want.keySet()), c + ": kernel reads other bytes");
      }
    }
    boolean parity = c.data().startsWith("raid5") || c.data().startsWith("raid6");
    if (parity) {
      // The kernel's scrub rewrites a wrong parity without reporting it: recompute every row's.
      try (Loop loop = Loop.attach(jimgs)) {
        List<String> bad =
            new Raid56Layout(DeviceSetDump.of(loop.devices()))
                .verifyParity(Raid56Io.byDevid(jimgs))
                .mismatches();
        assertTrue(bad.isEmpty(), c + ": parity that does not match its data: " + bad);
      }
      Map<String, String> sample = sample(want);
      for (Set<Integer> missing : missingSets(c)) {
        DegradedReads.assertBothRead(jimgs, missing, tmp, sample, c.toString());
      }
      // The kernel's scrub recomputes P and Q from the data and compares.
      try (Loop loop = Loop.attach(jimgs);
          KernelMount km = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("smnt"))) {
        Cmd.Result scrub =
            Cmd.run(List.of("btrfs", "scrub", "start", "-B", km.path().toString()), null, 600);
        String text = scrub.out() + scrub.stderr();
        System.out.println(c + ": kernel scrub:\n" + text);
        assertEquals(0, scrub.exitCode(), c + ": kernel scrub failed:\n" + text);
        assertTrue(text.contains("no errors found"), c + ": kernel scrub found errors:\n" + text);
      }
    } else if (c.survivesOneMissing()) {
      // Without the last device: every byte must still be readable from the other copies.
      try (Loop loop = Loop.attach(jimgs.subList(0, jimgs.size() - 1));
          KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("dmnt"), "degraded")) {
        assertEquals(
            want, digests(km.path(), want.keySet()), c + ": a degraded mount reads other bytes");
      }
    }
    System.out.printf(
        "%s: passed in %d s (%d files verified%s)%n",
        c,
        (System.nanoTime() - t0) / 1_000_000_000,
        want.size(),
        c.survivesOneMissing() ? ", also degraded" : "");
  }

  /**
   * Which devices to leave out, by index: each one in turn, and every pair when both the data and
   * metadata profiles survive two missing devices.
   */
  private static List<Set<Integer>> missingSets(Config c) {
    boolean two =
        c.data().equals("raid6")
            && (c.metadata().equals("raid6") || c.metadata().equals("raid1c3"));
    return DegradedReads.missingSets(c.deviceMiB().length, two ? 2 : 1);
  }

  /** Stripe count and device spread a new chunk of the configuration's profile must have. */
  private static void checkShape(Config c, DeviceSetDump.Chunk ch, int devices) {
    String profile = ch.type().contains("|") ? ch.type().split("\\|")[1].toUpperCase() : "SINGLE";
    String want = ch.type().startsWith("DATA") ? c.data() : c.metadata();
    assertEquals(want.toUpperCase(), profile, c + ": chunk " + ch.describe());
    int stripes = ch.stripes().size();
    Set<Long> devs = new HashSet<>();
    for (long[] s : ch.stripes()) devs.add(s[0]);
    switch (profile) {
      case "SINGLE" -> assertEquals(1, stripes, ch.describe());
      case "DUP" -> {
        assertEquals(2, stripes, ch.describe());
        assertEquals(1, devs.size(), ch.describe());
        // Both copies in one hole, the second right after the first.
        long stripeSize = ch.length();
        assertEquals(ch.stripes().get(0)[1] + stripeSize, ch.stripes().get(1)[1], ch.describe());
      }
      case "RAID1", "RAID1C3", "RAID1C4" -> {
        int n = Integer.parseInt(profile.equals("RAID1") ? "2" : profile.substring(6));
        assertEquals(n, stripes, ch.describe());
        assertEquals(n, devs.size(), ch.describe());
      }
      case "RAID10" -> {
        assertTrue(stripes >= 2 && stripes % 2 == 0, ch.describe());
        assertEquals(stripes, devs.size(), ch.describe());
        assertEquals(2, ch.subStripes(), ch.describe());
      }
      case "RAID5", "RAID6" -> {
        int parity = profile.equals("RAID5") ? 1 : 2;
        assertTrue(stripes >= parity + 1 && stripes <= devices, ch.describe());
        assertEquals(stripes, devs.size(), ch.describe());
      }
      case "RAID0" -> {
        assertTrue(stripes >= 1 && stripes <= devices, ch.describe());
        assertEquals(stripes, devs.size(), ch.describe());
      }
      default -> throw new AssertionError("unexpected profile " + profile);
    }
    if (!profile.equals("RAID10")) assertEquals(1, ch.subStripes(), ch.describe());
  }

  private static List<Path> bigSubset(long mib) throws IOException {
    try (Stream<Path> s = Files.list(bigFiles)) {
      return s.sorted().limit(mib / 16).toList();
    }
  }

  private static String[] put(List<Path> imgs, String local, String target) {
    List<String> a = new ArrayList<>(List.of("put", imgs.get(0).toString(), local, target));
    for (Path p : imgs.subList(1, imgs.size())) a.addAll(List.of("--device", p.toString()));
    return a.toArray(String[]::new);
  }

  private static DeviceSetDump dump(List<Path> imgs) {
    try (Loop loop = Loop.attach(imgs)) {
      return DeviceSetDump.of(loop.devices());
    }
  }

  private static List<DeviceSetDump.Chunk> newChunkItems(
      DeviceSetDump before, DeviceSetDump after, String type) {
    Set<Long> old = new HashSet<>();
    for (DeviceSetDump.Chunk c : before.chunks) old.add(c.logical());
    return after.chunks.stream()
        .filter(c -> !old.contains(c.logical()))
        .filter(c -> type.isEmpty() || c.type().split("\\|")[0].equals(type))
        .toList();
  }

  private static List<String> newChunks(DeviceSetDump before, DeviceSetDump after, String type) {
    return newChunkItems(before, after, type).stream().map(DeviceSetDump.Chunk::describe).toList();
  }

  /** Every big file and every 20th small one: what degraded mounts of each device set read. */
  private static Map<String, String> sample(Map<String, String> want) {
    Map<String, String> out = new TreeMap<>();
    int i = 0;
    for (Map.Entry<String, String> e : want.entrySet())
      if (e.getKey().startsWith("d/") || i++ % 20 == 0) out.put(e.getKey(), e.getValue());
    return out;
  }

  private static Map<String, String> digests(Path root, Set<String> names) throws IOException {
    Map<String, String> out = new TreeMap<>();
    for (String n : names) {
      Path p = root.resolve(n);
      out.put(n, Files.exists(p) ? sha256(p) : "missing");
    }
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String rel = root.relativize(p).toString();
        if (!names.contains(rel)) out.put(rel, "unexpected");
      }
    }
    return out;
  }

  private static String sha256(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 20];
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
      return HexFormat.of().formatHex(md.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }
}
