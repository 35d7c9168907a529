package org.jbtrfs.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case users balance for: the device all allocated to data chunks that deletions left nearly
 * empty, metadata full, and "No space left on device" with free space in df. The kernel fills a 1
 * GiB filesystem with 1 MiB files to ENOSPC, deletes 15 of every 16, then creates small files until
 * ENOSPC again (metadata cannot grow: nothing is unallocated). Through a jbtrfs mount, creating
 * files still fails; `balance start -dusage=0..10` packs the data chunks and frees the rest; then a
 * thousand more files are created, btrfs check is clean and the kernel reads exactly what the mount
 * showed.
 */
class FullFilesystemBalanceTest {
  @TempDir Path dir;

  private static final String FILL =
      String.join(
          "\n",
          "import errno, os, sys",
          "def until_full(make):",
          "    n = 0",
          "    try:",
          "        while True:",
          "            make(n)",
          "            n += 1",
          "    except OSError as e:",
          "        if e.errno != errno.ENOSPC: raise",
          "    return n",
          "block = os.urandom(1 << 20)",
          "os.mkdir('big')",
          "def big(n):",
          "    with open('big/%d' % n, 'wb') as f: f.write(block)",
          "bigs = until_full(big)",
          "os.sync()",
          "for n in range(bigs + 1):",
          "    if n % 16 and os.path.exists('big/%d' % n): os.unlink('big/%d' % n)",
          "os.sync()",
          "os.mkdir('small')",
          "def small(n):",
          "    with open('small/%d' % n, 'wb') as f: f.write(os.urandom(1500))",
          "smalls = until_full(small)",
          "os.sync()",
          "print('kernel: %d big files to ENOSPC, %d small ones to ENOSPC' % (bigs, smalls))");

  @BeforeEach
  void requireHost() {
    Environment.requireOracleHost();
  }

  @Test
  void usageFilterFreesChunksSoWritesWorkAgain() throws Exception {
    Path script = dir.resolve("fill.py");
    Files.writeString(script, FILL + "\n");
    ScratchImage img =
        ScratchImage.create(dir, "full", 1L << 30, 1, List.of(), "python3 " + script);
    Path image = img.image();
    BlockGroupUsage before = BlockGroupUsage.of(image);
    System.out.println("FullFilesystemBalanceTest: before the balance " + before);
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    Manifest shown;
    try (RwFuseMount m = RwFuseMount.mount(image, mnt, "noatime")) {
      Path more = Files.createDirectories(mnt.resolve("more"));
      int made = createUntilFull(more, "before", 20_000);
      System.out.println("FullFilesystemBalanceTest: jbtrfs created " + made + " before ENOSPC");
      assertThat(made).as("files jbtrfs could still create before the balance").isLessThan(20_000);

      ScrubRepairTest.Run bal =
          ScrubRepairTest.jbtrfs("balance", "start", "-dusage=0..10", mnt.toString());
      System.out.println("FullFilesystemBalanceTest: " + bal.out());
      assertThat(bal.rc()).as(bal.all()).isZero();
      assertThat(relocated(bal.out())).as(bal.all()).isGreaterThanOrEqualTo(2);

      int after = createUntilFull(more, "after", 1000);
      assertThat(after).as("files created after the balance").isEqualTo(1000);
      shown = ManifestReader.read(mnt);
    }
    BlockGroupUsage now = BlockGroupUsage.of(image);
    System.out.println("FullFilesystemBalanceTest: after " + now);
    assertThat(now.data()).as("data used bytes").isGreaterThanOrEqualTo(before.data());
    BtrfsCheck.assertClean(image, "after the balance");
    try (Loop loop = Loop.attach(List.of(image));
        KernelMount k = KernelMount.mount(loop.devices(), dir.resolve("k"), "")) {
      List<String> d = Manifest.diff(shown, ManifestReader.read(k.path()), Set.of("atime"));
      assertThat(d).as("the kernel after the balance: " + Manifest.report(d, 20)).isEmpty();
    }
  }

  /** Creates files of 1500 bytes until ENOSPC or {@code limit}; returns how many were made. */
  private static int createUntilFull(Path in, String prefix, int limit) throws IOException {
    byte[] b = new byte[1500];
    new java.util.Random(prefix.hashCode()).nextBytes(b);
    for (int i = 0; i < limit; i++) {
      try {
        Files.write(in.resolve(prefix + i), b);
      } catch (IOException e) {
        // Open fails as a FileSystemException, a write as a plain IOException: both name it.
        if (e.getMessage() == null || !e.getMessage().contains("No space left on device")) throw e;
        Files.deleteIfExists(in.resolve(prefix + i));
        return i;
      }
    }
    return limit;
  }

  private static int relocated(String out) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("had to relocate (\\d+) out of").matcher(out);
    if (!m.find()) throw new AssertionError("no 'Done' line in: " + out);
    return Integer.parseInt(m.group(1));
  }
}
