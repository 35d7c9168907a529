package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.jbtrfs.format.FileType;
import org.jbtrfs.format.InodeItem;
import org.jbtrfs.fs.FileReader;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.Node;
import org.jbtrfs.fs.PathResolver;
import org.jbtrfs.fs.SubvolumeSelector;
import org.jbtrfs.fs.write.FsOps;
import org.jbtrfs.txn.WriteEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No RAID5/6 write hole: a file committed in one transaction survives a commit of the next one cut
 * at any write (the rest silently lost, as in a power cut), followed by the loss of any one device.
 *
 * <p>The scenario the kernel's scheme loses: transaction 1 commits file "old" (20 KiB) at the start
 * of a RAID5 row; transaction 2 writes file "new" (20 KiB). The kernel puts "new" in the free rest
 * of the same row and rewrites the row's parity. A power cut after the new data strip landed but
 * before the parity did (or the reverse) leaves a parity that matches neither the old nor the new
 * row; when the device holding "old" is later missing, rebuilding it from that parity returns wrong
 * bytes (checksum errors: the committed file is lost). jbtrfs never writes into a row that holds
 * committed data, so "old"'s row and its parity are never touched: after every cut, with each
 * device missing in turn, "old" reads back exactly.
 */
class Raid56WriteHoleTest {
  private static final long MiB = 1L << 20;
  private static final int OLD = 100 << 10;
  private static final int NEW = 20 << 10;

  @TempDir Path tmp;

  @Test
  void committedDataSurvivesACutCommitAndAMissingDevice() throws Exception {
    Environment.requireOracleHost();
    List<Path> base = new ArrayList<>();
    List<String> mkfs =
        new ArrayList<>(List.of("mkfs.btrfs", "-q", "-f", "-d", "raid5", "-m", "raid1"));
    for (int i = 0; i < 3; i++) {
      base.add(tmp.resolve("base" + i + ".img"));
      Loop.createSparse(base.get(i), 256 * MiB);
      mkfs.add(base.get(i).toString());
    }
    Cmd.run(mkfs).check();
    byte[] oldData = random(OLD, 1);
    byte[] newData = random(NEW, 2);
    // Transaction 1: "old", committed.
    writeFile(base, "old", oldData, null);

    // How many writes the second commit makes.
    FaultyDevice.Plan count = new FaultyDevice.Plan(FaultyDevice.Mode.DROP, Long.MAX_VALUE);
    List<Path> probe = copies(base, "probe");
    writeFile(probe, "new", newData, count);
    long total = count.writes();
    assertTrue(total > 3, "the second commit made only " + total + " writes");

    int checked = 0;
    for (long allowed = 0; allowed <= total; allowed++) {
      List<Path> imgs = copies(base, "cut");
      writeFile(imgs, "new", newData, new FaultyDevice.Plan(FaultyDevice.Mode.DROP, allowed));
      for (int missing = 0; missing < imgs.size(); missing++) {
        List<Path> present = new ArrayList<>(imgs);
        present.remove(missing);
        assertArrayEquals(
            oldData,
            read(present, "old"),
            "\"old\" after a commit cut at write "
                + allowed
                + " of "
                + total
                + ", device "
                + (missing + 1)
                + " missing");
        checked++;
      }
    }
    System.out.println(
        "write hole: "
            + (total + 1)
            + " cut points x 3 missing devices, "
            + checked
            + " reads intact");
  }

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  private List<Path> copies(List<Path> from, String prefix) {
    List<Path> out = new ArrayList<>();
    for (int i = 0; i < from.size(); i++) {
      Path to = tmp.resolve(prefix + i + ".img");
      Cmd.run(List.of("cp", "--sparse=always", from.get(i).toString(), to.toString())).check();
      out.add(to);
    }
    return out;
  }

  /** Creates /name with {@code data} in one transaction; {@code plan} (if any) cuts its commit. */
  private static void writeFile(List<Path> imgs, String name, byte[] data, FaultyDevice.Plan plan)
      throws IOException {
    try (Filesystem fs =
        Filesystem.open(
            imgs,
            MountOptions.readOnlyDefaults().withReadOnly(false),
            d -> plan == null ? d : new FaultyDevice(d, plan))) {
      WriteEngine engine = WriteEngine.open(fs);
      long subvol = fs.defaultSubvolumeId();
      FsOps ops = new FsOps(engine, subvol);
      long root = fs.subvolume(subvol).rootDirIno();
      long ino =
          ops.create(root, name.getBytes(StandardCharsets.UTF_8), FileType.S_IFREG | 0644, 0, 0, 0);
      ops.data().writeNewFile(ino, new ByteArrayInputStream(data), data.length);
      if (plan != null) plan.arm();
      engine.commit();
    }
  }

  /** The file as a degraded read-only open of {@code present} reads it. */
  private static byte[] read(List<Path> present, String name) throws IOException {
    MountOptions o = MountOptions.readOnlyDefaults().withDegraded(true);
    try (Filesystem fs = Filesystem.open(present, o)) {
      Node n = new PathResolver(fs, SubvolumeSelector.select(fs, o)).resolve("/" + name);
      InodeItem i = n.inode();
      byte[] out = new byte[(int) i.size()];
      int got = FileReader.read(n, i, 0, out, 0, out.length);
      if (got != out.length) throw new IOException("short read " + got);
      return out;
    }
  }
}
