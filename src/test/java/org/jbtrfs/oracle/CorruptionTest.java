package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.jbtrfs.format.FormatException;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.Subvolume;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged kernel-made images: a bad copy must be skipped in favour of a good one, and when no copy
 * is good the read fails with an IOException naming the logical address; other files stay readable
 * and nothing hangs. Runs as root with btrfs-progs and the kernel module; skips (printing why)
 * elsewhere.
 */
class CorruptionTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);
  private static final int FILES = 300;
  private static final int FILE_SIZE = 5000; // above the 2048-byte inline limit: a data extent each

  @TempDir Path dir;

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  /** Content of the i-th generated file; the populate scripts write the same bytes. */
  static byte[] content(int i, int size) {
    byte[] line = ("file " + i + "\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[size];
    for (int p = 0; p < size; p++) out[p] = line[p % line.length];
    return out;
  }

  /** Python that writes {@code n} files named dir/fNNN with {@link #content} of {@code size}. */
  static String writeFiles(String dir, int n, int size) {
    return "mkdir -p "
        + dir
        + "\npython3 - <<'PY'\n"
        + "for i in range("
        + n
        + "):\n"
        + "    line = ('file %d\\n' % i).encode()\n"
        + "    data = (line * ("
        + size
        + " // len(line) + 1))[:"
        + size
        + "]\n"
        + "    open('"
        + dir
        + "/f%03d' % i, 'wb').write(data)\n"
        + "PY\n";
  }

  static Filesystem open(ScratchImage img) throws IOException {
    return Filesystem.open(img.devices(), MountOptions.readOnlyDefaults());
  }

  /** Reads a whole file by path through the Filesystem API. */
  static byte[] readPath(Filesystem fs, String path) throws IOException {
    Subvolume sv = fs.subvolume(fs.defaultSubvolumeId());
    Node n = new PathResolver(fs, new Node(sv, sv.rootDirIno())).resolve(path);
    if (n == null) throw new AssertionError(path + " not found");
    InodeItem inode = n.inode();
    byte[] out = new byte[(int) inode.size()];
    int got = FileReader.read(n, inode, 0, out, 0, out.length);
    return Arrays.copyOf(out, got);
  }

  @Test
  void dupMetadataFallsBackToTheGoodCopyAndNamesTheLeafWhenBothAreBad() {
    ScratchImage img =
        ScratchImage.create(
            dir,
            "dupmeta",
            300L << 20,
            1,
            List.of("-m", "dup", "-d", "single"),
            writeFiles("d", FILES, FILE_SIZE));
    String fsDump = img.inspect("dump-tree", "-t", "5");
    long dirIno = DumpText.inodeOf(fsDump, 256, "d");
    long victim = DumpText.inodeOf(fsDump, dirIno, "f150");
    long leaf = DumpText.leafOf(fsDump, victim + " EXTENT_DATA 0");
    List<ChunkLayout.Copy> copies = ChunkLayout.of(img).copies(leaf);
    assertThat(copies).as("DUP metadata has two copies").hasSize(2);

    // One copy damaged in the middle of the block: the checksum catches it, copy 1 serves.
    ScratchImage.flip(img.device(copies.get(0).devid()), copies.get(0).physical() + 2000, 16);
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try (Filesystem fs = open(img)) {
            for (int i = 0; i < FILES; i++) {
              assertThat(readPath(fs, String.format("d/f%03d", i)))
                  .isEqualTo(content(i, FILE_SIZE));
            }
          }
        });

    ScratchImage.flip(img.device(copies.get(1).devid()), copies.get(1).physical() + 3000, 16);
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try (Filesystem fs = open(img)) {
            assertThatThrownBy(() -> readPath(fs, "d/f150"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(Long.toString(leaf));
            int good = 0;
            for (int i = 0; i < FILES; i++) {
              try {
                assertThat(readPath(fs, String.format("d/f%03d", i)))
                    .isEqualTo(content(i, FILE_SIZE));
                good++;
              } catch (IOException e) {
                assertThat(e).hasMessageContaining(Long.toString(leaf));
              }
            }
            // One 16 KiB leaf holds the items of a few dozen files at most.
            assertThat(good).as("files outside the bad leaf").isGreaterThan(FILES - 60);
          }
        });
  }

  /** The image for the data tests: d/f000..f009, 64 KiB each, and a small good file. */
  private ScratchImage dataImage(String name, int ndev, String... mkfs) {
    return ScratchImage.create(
        dir, name, 300L << 20, ndev, List.of(mkfs), writeFiles("d", 10, 65536) + "sync\n");
  }

  /** Sector 1 of d/f003's extent: its logical address and every physical copy. */
  private static long badSector(ScratchImage img) {
    String fsDump = img.inspect("dump-tree", "-t", "5");
    long ino = DumpText.inodeOf(fsDump, DumpText.inodeOf(fsDump, 256, "d"), "f003");
    return DumpText.extentDiskByte(fsDump, ino) + 4096;
  }

  @Test
  void singleDataChecksumFailureNamesTheLogicalAddress() {
    ScratchImage img = dataImage("single", 1, "-d", "single", "-m", "dup");
    long bad = badSector(img);
    List<ChunkLayout.Copy> copies = ChunkLayout.of(img).copies(bad);
    assertThat(copies).hasSize(1);
    ScratchImage.flip(img.device(copies.get(0).devid()), copies.get(0).physical() + 10, 1);
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try (Filesystem fs = open(img)) {
            assertThatThrownBy(() -> readPath(fs, "d/f003"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("logical " + bad);
            for (int i = 0; i < 10; i++) {
              if (i != 3)
                assertThat(readPath(fs, String.format("d/f%03d", i))).isEqualTo(content(i, 65536));
            }
          }
        });
  }

  @Test
  void dupDataReadsTheOtherCopy() {
    ScratchImage img = dataImage("dupdata", 1, "-d", "dup", "-m", "dup");
    redundantDataSurvivesOneBadCopy(img);
  }

  @Test
  void raid1DataReadsTheOtherDevice() {
    ScratchImage img = dataImage("raid1", 2, "-d", "raid1", "-m", "raid1");
    redundantDataSurvivesOneBadCopy(img);
  }

  private static void redundantDataSurvivesOneBadCopy(ScratchImage img) {
    long bad = badSector(img);
    List<ChunkLayout.Copy> copies = ChunkLayout.of(img).copies(bad);
    assertThat(copies).hasSize(2);
    for (ChunkLayout.Copy damaged : copies) {
      byte[] old = ScratchImage.flip(img.device(damaged.devid()), damaged.physical() + 10, 1);
      try {
        assertTimeoutPreemptively(
            LIMIT,
            () -> {
              try (Filesystem fs = open(img)) {
                assertThat(readPath(fs, "d/f003")).isEqualTo(content(3, 65536));
              }
            });
      } finally {
        ScratchImage.write(img.device(damaged.devid()), damaged.physical() + 10, old);
      }
    }
    for (ChunkLayout.Copy c : copies)
      ScratchImage.flip(img.device(c.devid()), c.physical() + 10, 1);
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try (Filesystem fs = open(img)) {
            assertThatThrownBy(() -> readPath(fs, "d/f003"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("logical " + bad);
          }
        });
  }

  @Test
  void nodatasumFileReturnsCorruptedBytesLikeTheKernel() {
    if (Cmd.run(List.of("bash", "-c", "command -v chattr")).exitCode() != 0) {
      String reason = "chattr not installed";
      System.err.println(reason);
      org.junit.jupiter.api.Assumptions.abort(reason);
    }
    // +C on the directory: files created in it inherit NODATACOW, which implies NODATASUM.
    ScratchImage img =
        ScratchImage.create(
            dir,
            "nodatasum",
            300L << 20,
            1,
            List.of("-d", "single"),
            "mkdir nc\nchattr +C nc\ntouch nc/f003\nchattr +C nc/f003\n"
                + writeFiles("nc", 10, 65536)
                + "sync\n");
    String fsDump = img.inspect("dump-tree", "-t", "5");
    long ino = DumpText.inodeOf(fsDump, DumpText.inodeOf(fsDump, 256, "nc"), "f003");
    long bad = DumpText.extentDiskByte(fsDump, ino) + 4096;
    ChunkLayout.Copy copy = ChunkLayout.of(img).copies(bad).get(0);
    ScratchImage.flip(img.device(copy.devid()), copy.physical() + 10, 1);
    byte[] expected = content(3, 65536);
    expected[4096 + 10] = (byte) ~expected[4096 + 10];
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try (Filesystem fs = open(img)) {
            assertThat(readPath(fs, "nc/f003")).isEqualTo(expected);
          }
        });
  }

  @Test
  void superblockMirrorServesWhenThePrimaryIsBadAndNoCopyIsAClearError() {
    ScratchImage img =
        ScratchImage.create(dir, "sb", 300L << 20, 1, List.of(), writeFiles("d", 3, 5000));
    ScratchImage.flip(img.image(), Superblock.MIRROR_OFFSETS[0] + 0x200, 8);
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try (Filesystem fs = open(img)) {
            assertThat(fs.superblock().bytenr()).isEqualTo(Superblock.MIRROR_OFFSETS[1]);
            assertThat(readPath(fs, "d/f002")).isEqualTo(content(2, 5000));
          }
        });
    ScratchImage.flip(img.image(), Superblock.MIRROR_OFFSETS[1] + 0x200, 8);
    assertTimeoutPreemptively(
        LIMIT,
        () ->
            assertThatThrownBy(() -> open(img).close())
                .isInstanceOf(FormatException.class)
                .hasMessageContaining("no valid btrfs superblock"));
  }

  @Test
  void unreadableTreeRootFallsBackToABackupRootOrFailsClearly() {
    // Each sync commits a transaction; the kernel rotates the superblock's backup roots on each.
    StringBuilder populate = new StringBuilder();
    for (int round = 0; round < 4; round++) {
      populate.append(writeFiles("r" + round, 5, 5000)).append("sync\n");
    }
    ScratchImage img =
        ScratchImage.create(dir, "root", 300L << 20, 1, List.of("-m", "dup"), populate.toString());
    long root = DumpText.superField(img.inspect("dump-super"), "root");
    for (ChunkLayout.Copy c : ChunkLayout.of(img).copies(root)) {
      ScratchImage.flip(img.device(c.devid()), c.physical() + 200, 32);
    }
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          try (Filesystem fs = open(img)) {
            assertThat(fs.rootTree().rootBytenr()).as("a backup root").isNotEqualTo(root);
            FsWalk w = FsWalk.of(fs);
            System.err.println(
                "backup root "
                    + fs.rootTree().rootBytenr()
                    + ": walked "
                    + w.nodes
                    + " nodes, "
                    + w.ioErrors
                    + " IO errors "
                    + w.errors);
            assertThat(w.nodes).isGreaterThan(1);
          } catch (IOException e) {
            System.err.println("no usable backup root: " + e);
            assertThat(e)
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(Long.toString(root));
          }
        });
  }

  @Test
  void truncatedGarbageAndZeroImagesFailWithIoExceptionsOnly() throws IOException {
    ScratchImage img =
        ScratchImage.create(dir, "trunc", 300L << 20, 1, List.of(), writeFiles("d", 20, 70000));
    List<Path> cases = new ArrayList<>();
    for (long size : new long[] {10L << 20, 100L << 20}) {
      Path cut = dir.resolve("cut" + (size >> 20) + ".img");
      Cmd.run(List.of("cp", "--sparse=always", img.image().toString(), cut.toString())).check();
      Cmd.run(List.of("truncate", "-s", Long.toString(size), cut.toString())).check();
      cases.add(cut);
    }
    byte[] garbage = new byte[4 << 20];
    new Random(7).nextBytes(garbage);
    cases.add(Files.write(dir.resolve("garbage.img"), garbage));
    cases.add(Files.write(dir.resolve("zero.img"), new byte[4 << 20]));
    cases.add(Files.write(dir.resolve("tiny.img"), new byte[100]));
    cases.add(Files.write(dir.resolve("empty.img"), new byte[0]));
    for (Path p : cases) {
      assertTimeoutPreemptively(
          LIMIT,
          () -> {
            try (Filesystem fs = Filesystem.open(List.of(p), MountOptions.readOnlyDefaults())) {
              // Opening may work when the trees sit below the cut; the walk must then fail cleanly.
              FsWalk w = FsWalk.of(fs);
              System.err.println(
                  p.getFileName() + ": opened, " + w.ioErrors + " IO errors " + w.errors);
              if (p.getFileName().toString().equals("cut10.img"))
                fail("10 MiB cannot hold the chunk tree");
            } catch (IOException e) {
              System.err.println(p.getFileName() + ": " + e);
              if (!p.getFileName().toString().startsWith("cut")) {
                assertThat(e)
                    .isInstanceOf(FormatException.class)
                    .hasMessageContaining("no valid btrfs superblock");
              }
            }
          },
          p.toString());
    }
  }

  @Test
  void fuseReturnsEioForTheBadFileAndKeepsServingOthers() throws IOException {
    ScratchImage img = dataImage("fuse", 1, "-d", "single", "-m", "dup");
    long bad = badSector(img);
    ChunkLayout.Copy copy = ChunkLayout.of(img).copies(bad).get(0);
    ScratchImage.flip(img.device(copy.devid()), copy.physical() + 10, 1);
    Path mnt = dir.resolve("fuse.mnt");
    try (FuseMount m = FuseMount.mount(img.devices(), mnt, "")) {
      Cmd.Result badCat = Cmd.run(List.of("cat", m.path().resolve("d/f003").toString()), null, 60);
      assertThat(badCat.exitCode()).isNotZero();
      assertThat(badCat.stderr()).contains("Input/output error");
      for (int i : new int[] {0, 4, 9}) {
        Cmd.Result ok =
            Cmd.run(
                List.of("cat", m.path().resolve(String.format("d/f%03d", i)).toString()), null, 60);
        assertThat(ok.exitCode()).isZero();
        assertThat(ok.stdout()).isEqualTo(content(i, 65536));
      }
      // The daemon survived the failed read: a second attempt gets EIO again, not ENOTCONN.
      assertThat(Cmd.run(List.of("cat", m.path().resolve("d/f003").toString()), null, 60).stderr())
          .contains("Input/output error");
    }
  }
}
