package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The csum tree after the same sequential 96 MiB write holds no more leaves under jbtrfs than under
 * the kernel: consecutive extents' checksums grow one item up to the kernel's item limit, so leaves
 * fill up. (Items capped at a quarter leaf and split evenly left every leaf half empty: 12 leaves
 * where the kernel has 8, which statfs shows as less free space than the kernel's.) The kernel's
 * own count varies by a leaf with the order its ordered extents finish in, so it is a bound.
 */
class ChecksumPackingTest {
  private static final long MiB = 1L << 20;
  private static final Pattern LEAF = Pattern.compile("(?m)^leaf \\d+ items \\d+");

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  @Test
  void csumLeavesAsTheKernels(@TempDir Path tmp) throws Exception {
    Path kimg = ImageFiles.mkfs(tmp, "k.img", 512 * MiB);
    Path jimg = tmp.resolve("j.img");
    Files.copy(kimg, jimg, StandardCopyOption.REPLACE_EXISTING);
    try (Loop loop = Loop.attach(List.of(kimg));
        KernelMount km = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      EnospcSupport.writeFile(km.path().resolve("f"), 96 * MiB, 3, new AtomicLong());
    }
    Path jmnt = Files.createDirectories(tmp.resolve("jmnt"));
    byte[] written;
    try (RwFuseMount m = RwFuseMount.mount(jimg, jmnt, "")) {
      written = EnospcSupport.writeFile(jmnt.resolve("f"), 96 * MiB, 3, new AtomicLong());
    }
    BtrfsCheck.assertClean(jimg, "after the write");
    // The kernel verifies every sector against the packed items as it reads.
    try (Loop loop = Loop.attach(List.of(jimg));
        KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("vmnt"), "")) {
      assertArrayEquals(written, EnospcSupport.digestOf(km.path().resolve("f")), "kernel read");
    }
    int kernel = csumLeaves(kimg);
    int jbtrfs = csumLeaves(jimg);
    System.out.printf("ChecksumPackingTest: csum leaves, kernel %d, jbtrfs %d%n", kernel, jbtrfs);
    assertTrue(
        jbtrfs <= kernel,
        "csum tree leaves after the same 96 MiB write: jbtrfs " + jbtrfs + ", kernel " + kernel);
  }

  private static int csumLeaves(Path img) {
    String out =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "csum", img.toString()))
            .check()
            .out();
    Matcher m = LEAF.matcher(out);
    int n = 0;
    while (m.find()) n++;
    return n;
  }
}
