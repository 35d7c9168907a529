package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.Node;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Design lesson 14, clause by clause, for RAID5 (3 devices) and RAID6 (4 devices), data and
 * metadata both parity profiles: "RAID5/6: read-modify-write below the file layer, 64 KiB stripes,
 * full-stripe writes when possible, parity correct after every write, data rebuilt from parity when
 * a device is missing."
 *
 * <ul>
 *   <li>64 KiB stripes: every RAID5/6 chunk item (as btrfs-progs prints it) has stripe_len 65536.
 *   <li>Read-modify-write: a commit of two small files sharing a row reads data strips (counted at
 *       the device layer, inside data chunks), since the parity of a partly written row needs the
 *       rest of the row.
 *   <li>Full-stripe writes: a commit of a 1 MiB file (whole rows) reads nothing from data chunks
 *       and writes the data plus exactly its parity there.
 *   <li>Parity after every write: after mkfs and after each commit, P (and Q) recomputed in this
 *       test from the raw data strips of every row (the test's own XOR and GF(2^8), not jbtrfs's)
 *       equals the stored parity.
 *   <li>Rebuilt from parity: with each device missing (each pair for RAID6), a degraded jbtrfs open
 *       reads every file back identically.
 * </ul>
 */
class Lesson14Raid56Test {
  private static final long MiB = 1L << 20;
  private static final long STRIPE_LEN = 64 << 10;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"raid5", "raid6"})
  void raid56WritesKeepParityAndRebuild(String profile, @TempDir Path tmp) throws Exception {
    Environment.requireOracleHost();
    long t0 = System.nanoTime();
    int ndev = profile.equals("raid5") ? 3 : 4;
    int nparity = profile.equals("raid5") ? 1 : 2;
    List<Path> imgs = Raid56Io.mkfs(tmp, profile, ndev, 512 * MiB, "-d", profile, "-m", profile);
    Map<Long, Path> devs = Raid56Io.byDevid(imgs);

    Raid56Layout layout = Raid56Io.layout(imgs);
    List<DeviceSetDump.Chunk> parityChunks =
        layout.chunks().stream().filter(c -> Raid56Layout.parity(c) > 0).toList();
    assertThat(parityChunks).as("RAID5/6 chunks").isNotEmpty();
    assertThat(parityChunks.stream().anyMatch(c -> c.type().startsWith("DATA"))).isTrue();
    for (DeviceSetDump.Chunk c : parityChunks)
      assertThat(c.stripeLen()).as("stripe_len of " + c.describe()).isEqualTo(STRIPE_LEN);
    assertParity(layout, devs, "after mkfs");

    Map<String, byte[]> files = new LinkedHashMap<>();
    CountingDevice.Log log = new CountingDevice.Log();

    // Two small files in one transaction: they share rows, so the second one's strips are
    // written into a row whose other data must be read back for its parity.
    files.put("a", random(12 << 10, 1));
    files.put("b", random(20 << 10, 2));
    commitFiles(imgs, log, files, List.of("a", "b"));
    layout = Raid56Io.layout(imgs);
    Map<String, Long> io = Raid56Io.sum(log.events(), layout, imgs);
    System.out.println(profile + ": partial rows (a, b): " + io);
    assertThat(Raid56Io.get(io, "read DATA"))
        .as("a partial-row write reads the rest of its row (read-modify-write)")
        .isGreaterThan(0);
    assertParity(layout, devs, "after the partial-row commit");

    // A file of whole rows after a commit: new data starts on a clean row, every row is full.
    long rowBytes = (ndev - nparity) * STRIPE_LEN;
    files.put("c", random((int) (8 * rowBytes), 3));
    commitFiles(imgs, log, files, List.of("c"));
    layout = Raid56Io.layout(imgs);
    io = Raid56Io.sum(log.events(), layout, imgs);
    System.out.println(profile + ": full rows (c): " + io);
    assertThat(Raid56Io.get(io, "read DATA")).as("a full-stripe write reads no data").isZero();
    assertThat(Raid56Io.get(io, "write DATA"))
        .as("a full-stripe write writes the data and its parity, nothing more")
        .isEqualTo(8 * ndev * STRIPE_LEN); // 8 rows, one element on every device each
    assertParity(layout, devs, "after the full-row commit");

    // Overwrite inside c and append to a: copy-on-write puts both in new partial rows.
    byte[] c = files.get("c");
    byte[] patch = random(8 << 10, 4);
    System.arraycopy(patch, 0, c, 100 << 10, patch.length);
    byte[] a = files.get("a");
    byte[] grown = Arrays.copyOf(a, a.length + (40 << 10));
    System.arraycopy(random(40 << 10, 5), 0, grown, a.length, 40 << 10);
    files.put("a", grown);
    log.clear();
    try (EngineMount m = EngineMount.open(imgs, d -> new CountingDevice(d, log))) {
      m.write(node(m, "c"), 100 << 10, patch);
      Node an = node(m, "a");
      m.write(an, a.length, Arrays.copyOfRange(grown, a.length, grown.length));
      log.arm();
      m.commit();
      log.disarm();
    }
    layout = Raid56Io.layout(imgs);
    io = Raid56Io.sum(log.events(), layout, imgs);
    System.out.println(profile + ": overwrite + append: " + io);
    assertThat(Raid56Io.get(io, "read DATA"))
        .as("partial-row writes of an overwrite and an append read the rest of their rows")
        .isGreaterThan(0);
    assertParity(layout, devs, "after the overwrite commit");
    Raid56Io.assertChecked(imgs);

    // Every device missing in turn, and for RAID6 every pair: rebuilt from parity.
    int sets = 0;
    for (Set<Integer> missing : missingSets(ndev, nparity)) {
      List<Path> present = new ArrayList<>();
      for (int i = 0; i < ndev; i++) if (!missing.contains(i)) present.add(imgs.get(i));
      try (Filesystem fs =
          Filesystem.open(present, MountOptions.readOnlyDefaults().withDegraded(true))) {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
          assertThat(CorruptionTest.readPath(fs, f.getKey()))
              .as(f.getKey() + " without devices " + missing)
              .isEqualTo(f.getValue());
        }
      }
      sets++;
    }
    System.out.printf(
        "%s: lesson 14 holds (%d missing-device sets read back) in %d s%n",
        profile, sets, (System.nanoTime() - t0) / 1_000_000_000);
  }

  /**
   * Creates {@code names} with their content from {@code files} and commits, logging the commit.
   */
  private static void commitFiles(
      List<Path> imgs, CountingDevice.Log log, Map<String, byte[]> files, List<String> names)
      throws Exception {
    log.clear();
    try (EngineMount m = EngineMount.open(imgs, d -> new CountingDevice(d, log))) {
      for (String n : names) m.write(m.create(n), 0, files.get(n));
      // Writeback happens in the commit: that is where parity is made.
      log.arm();
      m.commit();
      log.disarm();
    }
  }

  private static Node node(EngineMount m, String name) throws Exception {
    var sv = m.fs.subvolume(m.fs.defaultSubvolumeId());
    return new org.jbtrfs.fs.PathResolver(m.fs, new Node(sv, sv.rootDirIno())).resolve("/" + name);
  }

  private static void assertParity(Raid56Layout layout, Map<Long, Path> devs, String when) {
    Raid56Layout.ParityReport r = layout.verifyParity(devs);
    System.out.println("parity " + when + ": " + r);
    assertThat(r.mismatches()).as("rows whose parity does not match their data " + when).isEmpty();
    assertThat(r.rows()).as("rows checked " + when).isGreaterThan(0);
    assertThat(r.rowsWithData()).as("rows holding data " + when).isGreaterThan(0);
  }

  private static List<Set<Integer>> missingSets(int n, int nparity) {
    List<Set<Integer>> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(Set.of(i));
    if (nparity == 2)
      for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) out.add(Set.of(i, j));
    return out;
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }
}
