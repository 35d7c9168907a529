package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jbtrfs.fs.DataReader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.tree.MetadataReader;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 13's bad input: "A strip whose checksum fails on read is rebuilt from parity, the read
 * succeeds, and the event is logged with the logical address and the device."
 *
 * <p>On a kernel-written RAID5 (3 devices) and RAID6 (4 devices) filesystem, data and metadata both
 * parity profiles, the test damages one data strip of a file's extent and one data strip holding a
 * leaf, on the device btrfs-progs' chunk map (not jbtrfs's) says holds them, then reads every file
 * with jbtrfs in-process and through a read-only FUSE mount. Every file reads back exactly, and
 * both logs (the in-process logger and the daemon's log file) name each event's logical address,
 * devid, device path and physical offset, and that it was rebuilt from parity.
 */
class Raid56ChecksumRebuildTest {
  private static final int FILES = 100;
  private static final int SIZE = 65536;

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"raid5", "raid6"})
  void badStripsAreRebuiltFromParityAndLogged(String profile) throws Exception {
    Environment.requireOracleHost();
    int ndev = profile.equals("raid5") ? 3 : 4;
    ScratchImage img =
        ScratchImage.create(
            dir,
            profile,
            512L << 20,
            ndev,
            List.of("-d", profile, "-m", profile),
            CorruptionTest.writeFiles("d", FILES, SIZE) + "sync\n");
    Raid56Layout layout;
    String fsDump;
    try (Loop loop = Loop.attach(img.devices())) {
      layout = new Raid56Layout(DeviceSetDump.of(loop.devices()));
      fsDump =
          Cmd.run(
                  List.of(
                      "btrfs", "inspect-internal", "dump-tree", "-t", "5", loop.devices().get(0)))
              .check()
              .out();
    }
    long dirIno = DumpText.inodeOf(fsDump, 256, "d");
    // Sector 1 of d/f003's extent, and the leaf holding d/f070's extent item.
    long badData = DumpText.extentDiskByte(fsDump, DumpText.inodeOf(fsDump, dirIno, "f003")) + 4096;
    long badLeaf =
        DumpText.leafOf(fsDump, DumpText.inodeOf(fsDump, dirIno, "f070") + " EXTENT_DATA 0");
    Raid56Layout.Location data = layout.dataLocation(badData);
    Raid56Layout.Location leaf = layout.dataLocation(badLeaf);
    ScratchImage.flip(img.device(data.devid()), data.physical() + 10, 1);
    ScratchImage.flip(img.device(leaf.devid()), leaf.physical() + 2000, 16);
    List<String> dataEvent =
        List.of(
            "data checksum mismatch at logical " + badData + " ",
            "devid " + data.devid() + " (" + img.device(data.devid()) + ")",
            "physical " + data.physical(),
            "rebuilt from parity");
    List<String> leafEvent =
        List.of(
            "tree block at logical " + badLeaf + ":",
            "devid " + leaf.devid() + " (" + img.device(leaf.devid()) + ")",
            "physical " + leaf.physical(),
            "rebuilt from parity");
    System.out.println(
        profile
            + ": damaged data "
            + badData
            + " at "
            + data
            + ", leaf "
            + badLeaf
            + " at "
            + leaf);

    List<String> logged = new ArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue())
              synchronized (logged) {
                logged.add(r.getMessage());
              }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger dataLog = Logger.getLogger(DataReader.class.getName());
    Logger metaLog = Logger.getLogger(MetadataReader.class.getName());
    dataLog.addHandler(capture);
    metaLog.addHandler(capture);
    try (Filesystem fs = Filesystem.open(img.devices(), MountOptions.readOnlyDefaults())) {
      for (int i = 0; i < FILES; i++) {
        assertThat(CorruptionTest.readPath(fs, String.format("d/f%03d", i)))
            .as("d/f%03d", i)
            .isEqualTo(CorruptionTest.content(i, SIZE));
      }
    } finally {
      dataLog.removeHandler(capture);
      metaLog.removeHandler(capture);
    }
    System.out.println(profile + ": in-process log: " + logged);
    assertThat(logged).as("the data event in the log").anyMatch(l -> containsAll(l, dataEvent));
    assertThat(logged)
        .as("the tree block event in the log")
        .anyMatch(l -> containsAll(l, leafEvent));

    // The daemon, through a read-only FUSE mount, does the same and says so in its log.
    String daemonLog;
    try (FuseMount m = FuseMount.mount(img.devices(), dir.resolve(profile + ".fuse"), "")) {
      for (int i : new int[] {3, 70, 0}) {
        String name = String.format("d/f%03d", i);
        assertThat(Files.readAllBytes(m.path().resolve(name)))
            .as(name + " through FUSE")
            .isEqualTo(CorruptionTest.content(i, SIZE));
      }
      daemonLog = Files.readString(m.daemonLog());
    }
    List<String> lines = daemonLog.lines().toList();
    assertThat(lines)
        .as("the data event in the daemon's log")
        .anyMatch(l -> containsAll(l, dataEvent));
    assertThat(lines)
        .as("the tree block event in the daemon's log")
        .anyMatch(l -> containsAll(l, leafEvent));
  }

  private static boolean containsAll(String line, List<String> parts) {
    for (String p : parts) if (!line.contains(p)) return false;
    return true;
  }
}
