package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.jbtrfs.fs.Node;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 1 GiB sequential buffered write to RAID5 on 3 devices is made of full-stripe writes: counted at
 * the device layer, it reads (almost) nothing, and it writes the data plus one parity strip per two
 * data strips (1.5x) into the data chunks, spread evenly over the devices. What it wrote passes
 * btrfs check and a kernel mount reads the file back with the right sha256.
 *
 * <p>Why it matters: a row written in part needs the rest of its row read back to compute parity
 * (read-modify-write), which costs a read per write and, on real disks, a seek; a sequential writer
 * must not pay that. The write goes through the daemon's own write stack (MountedWriter, writeback,
 * queued data, commit) in 1 MiB FUSE-sized requests, over counting devices.
 */
class Raid56FullStripeWriteTest {
  private static final long MiB = 1L << 20;
  private static final long DATA = 1024 * MiB;

  @TempDir Path tmp;

  @Test
  void sequentialGibibyteWritesFullStripes() throws Exception {
    Environment.requireOracleHost();
    long t0 = System.nanoTime();
    List<Path> imgs = Raid56Io.mkfs(tmp, "full", 3, 1280 * MiB, "-d", "raid5", "-m", "raid1");
    CountingDevice.Log log = new CountingDevice.Log();
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    try (EngineMount m = EngineMount.open(imgs, d -> new CountingDevice(d, log))) {
      Node f = m.create("big");
      log.arm();
      byte[] buf = new byte[(int) MiB];
      for (long off = 0; off < DATA; off += MiB) {
        new SplittableRandom(off).nextBytes(buf);
        sha.update(buf);
        m.write(f, off, buf);
      }
      m.commit();
      log.disarm();
    }
    long wrote = System.nanoTime();
    String want = HexFormat.of().formatHex(sha.digest());

    Raid56Layout layout = Raid56Io.layout(imgs);
    Map<String, Long> io = Raid56Io.sum(log.events(), layout, imgs);
    System.out.printf(
        "1 GiB to RAID5 x3: written in %.1f s; device I/O %s%n", (wrote - t0) / 1e9, io);
    long readAll = Raid56Io.get(io, "read all");
    long readData = Raid56Io.get(io, "read DATA");
    long writeData = Raid56Io.get(io, "write DATA");
    long writeAll = Raid56Io.get(io, "write all");
    assertThat(readData).as("bytes read from data chunks").isLessThan(DATA / 1000);
    assertThat(readAll).as("bytes read from the devices").isLessThan(DATA / 100);
    // Exactly 1.5x for full rows; the extents' first and last rows may be partial (their data
    // and parity are written once more when the next extent fills the row).
    assertThat(writeData)
        .as("bytes written to data chunks")
        .isBetween(DATA * 3 / 2, DATA * 3 / 2 + DATA / 100);
    assertThat(writeAll).as("bytes written in all").isLessThan(DATA * 3 / 2 + DATA / 50);
    for (int devid = 1; devid <= 3; devid++) {
      assertThat(Raid56Io.get(io, "write devid " + devid))
          .as("devid " + devid + "'s share of the writes (parity rotates over the devices)")
          .isBetween(writeAll / 3 - writeAll / 30, writeAll / 3 + writeAll / 30);
    }

    Raid56Io.assertChecked(imgs);
    try (Loop loop = Loop.attach(imgs);
        KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "")) {
      String got =
          Cmd.run(List.of("sha256sum", km.path().resolve("big").toString()), null, 300)
              .check()
              .out()
              .split("\\s+")[0];
      assertThat(got).as("sha256 of the file through a kernel mount").isEqualTo(want);
    }
    System.out.printf(
        "1 GiB to RAID5 x3: read %d bytes (%d in data chunks), wrote %d (%d in data chunks, %.4fx"
            + " the data); test took %d s%n",
        readAll,
        readData,
        writeAll,
        writeData,
        (double) writeData / DATA,
        (System.nanoTime() - t0) / 1_000_000_000);
  }
}
