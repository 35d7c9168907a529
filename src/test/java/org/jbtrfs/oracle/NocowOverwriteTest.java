package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * chattr +C as its users rely on it (VM images, databases): a file created in a +C directory is
 * nodatacow and nodatasum, and overwriting it through jbtrfs goes in place: its file extent items
 * (disk addresses included) are what they were, the checksum tree holds nothing for it, btrfs check
 * is clean, and the kernel reads back the same bytes and shows the same flags. Overwrites made
 * before the first data has landed (one mount, no sync between) end up right too. An ordinary
 * file's overwrite, in the same run, moves its extents: the comparison can tell.
 */
class NocowOverwriteTest {
  private static final int MIB = 1 << 20;

  @TempDir Path tmp;

  @Test
  void nocowFilesAreOverwrittenInPlace() throws Exception {
    Environment.requireOracleHost();
    Path img = tmp.resolve("nocow.img");
    Loop.createSparse(img, 512L << 20);
    Cmd.run(List.of("mkfs.btrfs", "-q", "-f", img.toString())).check();
    Random rnd = new Random(42);
    byte[] vm = new byte[8 * MIB];
    rnd.nextBytes(vm);
    byte[] plain = vm.clone();
    byte[] early = new byte[2 * MIB];
    rnd.nextBytes(early);
    try (FuseMount m = FuseMount.mountReadWrite(List.of(img), tmp.resolve("j"), "")) {
      Path d = m.path().resolve("d");
      Files.createDirectory(d);
      Cmd.run(List.of("chattr", "+C", d.toString())).check();
      Files.write(d.resolve("vm"), vm);
      Files.write(m.path().resolve("plain"), plain);
      // Written, then overwritten twice before anything reached the devices.
      Files.write(d.resolve("early"), early);
      overwrite(d.resolve("early"), early, rnd, 20);
      overwrite(d.resolve("early"), early, rnd, 20);
    }
    String before = fsDump(img);
    long dirIno = DumpText.inodeOf(before, 256, "d");
    long vmIno = DumpText.inodeOf(before, dirIno, "vm");
    long plainIno = DumpText.inodeOf(before, 256, "plain");
    List<String> vmExtents = DumpText.fileExtents(before, vmIno);
    List<String> plainExtents = DumpText.fileExtents(before, plainIno);
    assertThat(vmExtents).isNotEmpty();

    try (FuseMount m = FuseMount.mountReadWrite(List.of(img), tmp.resolve("j"), "")) {
      overwrite(m.path().resolve("d/vm"), vm, rnd, 200);
      overwrite(m.path().resolve("plain"), plain, rnd, 200);
      // O_DIRECT overwrites take the same way.
      try (FileChannel ch =
          FileChannel.open(
              m.path().resolve("d/vm"),
              StandardOpenOption.WRITE,
              com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
        ByteBuffer slice = ByteBuffer.allocateDirect(3 * 4096).alignedSlice(4096).limit(2 * 4096);
        byte[] data = new byte[2 * 4096];
        rnd.nextBytes(data);
        slice.put(data).flip();
        ch.write(slice, 3 * MIB);
        System.arraycopy(data, 0, vm, 3 * MIB, data.length);
      }
    }
    String after = fsDump(img);
    assertEquals(vmExtents, DumpText.fileExtents(after, vmIno), "the +C file's extents moved");
    assertThat(DumpText.fileExtents(after, plainIno))
        .as("an ordinary file's overwrite copies on write")
        .isNotEqualTo(plainExtents);
    String csums =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "csum", img.toString()))
            .check()
            .out();
    for (String ext : vmExtents) {
      long disk = Long.parseLong(ext.split(" ")[2]);
      long len = Long.parseLong(ext.split(" ")[3]);
      assertThat(csumsCover(csums, disk, len)).as("checksums for the +C file at " + disk).isFalse();
    }
    BtrfsCheck.assertClean(img, "after in-place overwrites");

    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("k"), "")) {
      assertArrayEquals(vm, Files.readAllBytes(k.path().resolve("d/vm")), "kernel reads d/vm");
      assertArrayEquals(plain, Files.readAllBytes(k.path().resolve("plain")), "kernel: plain");
      assertArrayEquals(early, Files.readAllBytes(k.path().resolve("d/early")), "d/early");
      Cmd.Result r =
          Cmd.run(List.of("lsattr", "-d", "d", "d/vm", "d/early", "plain"), k.path(), 30).check();
      assertThat(r.out())
          .contains("---------------C------ d\n")
          .contains("---------------C------ d/vm\n")
          .contains("---------------C------ d/early\n")
          .contains("---------------------- plain\n");
    }
  }

  /**
   * {@code count} random writes of 1 byte to 1 MiB, some unaligned, mirrored into {@code model}.
   */
  private static void overwrite(Path file, byte[] model, Random rnd, int count) throws Exception {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      for (int i = 0; i < count; i++) {
        int len = 1 + rnd.nextInt(i % 3 == 0 ? MIB : 9000);
        int off = rnd.nextInt(model.length - len);
        byte[] data = new byte[len];
        rnd.nextBytes(data);
        ch.write(ByteBuffer.wrap(data), off);
        System.arraycopy(data, 0, model, off, len);
      }
    }
  }

  private static String fsDump(Path img) {
    return Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "fs", img.toString()))
        .check()
        .out();
  }

  /** Whether any EXTENT_CSUM item of the dump covers part of [disk, disk+len). */
  private static boolean csumsCover(String csums, long disk, long len) {
    var m =
        java.util.regex.Pattern.compile(
                "key \\(EXTENT_CSUM EXTENT_CSUM (\\d+)\\) itemoff \\d+ itemsize (\\d+)")
            .matcher(csums);
    while (m.find()) {
      long start = Long.parseLong(m.group(1));
      // 4 bytes of crc32c per 4 KiB sector.
      long end = start + Long.parseLong(m.group(2)) / 4 * 4096;
      if (start < disk + len && end > disk) return true;
    }
    return false;
  }
}
