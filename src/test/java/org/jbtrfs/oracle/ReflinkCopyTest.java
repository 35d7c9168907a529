package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * copy_file_range through a jbtrfs mount shares extents, as `cp --reflink` does on the kernel: `cp`
 * of a 64 MiB file (it calls copy_file_range) uses no data space, the dump shows the copy's file
 * extent items pointing at the source's disk extents, each with two references; a copy into another
 * subvolume shares too; a write into the copy leaves the source unchanged; an unaligned range is
 * copied instead. Then btrfs check is clean and a kernel mount reads every file as expected.
 */
class ReflinkCopyTest {
  private static final int MiB = 1 << 20;
  private static final Pattern DATA =
      Pattern.compile(
          "key \\((\\d+) EXTENT_DATA \\d+\\)[^\\n"
              + "]*\\n"
              + "[^\\n"
              + "]*\\n"
              + "\\s*extent data disk byte (\\d+) nr");
  private static final Pattern EXTENT =
      Pattern.compile("key \\((\\d+) EXTENT_ITEM \\d+\\)[^\\n]*\\n\\s*refs (\\d+)");

  @TempDir Path tmp;

  @Test
  void copyFileRangeSharesExtents() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "img", 1L << 30);
    Path local = Files.createDirectories(tmp.resolve("local"));
    ImageFiles.randomFile(local.resolve("big"), 64L * MiB, 7);
    ImageFiles.randomFile(local.resolve("odd"), MiB + 1000, 8);
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    long usedBefore;
    long usedAfter;
    long bigIno;
    long copyIno;
    long svCopyIno;
    try (RwFuseMount m = RwFuseMount.mount(img, mnt, "")) {
      Cmd.run(
              List.of(
                  "cp",
                  local.resolve("big").toString(),
                  local.resolve("odd").toString(),
                  mnt.toString()))
          .check();
      JbtrfsCli.run("subvolume", "create", mnt.resolve("sv").toString());
      Cmd.run(List.of("sync", "-f", mnt.toString())).check();
      usedBefore = dataUsed(mnt);
      Cmd.run(List.of("cp", mnt + "/big", mnt + "/big.copy")).check();
      Cmd.run(List.of("cp", mnt + "/big", mnt + "/sv/big.copy")).check();
      Cmd.run(List.of("cp", mnt + "/odd", mnt + "/odd.copy")).check();
      // Unaligned: 100 bytes from offset 10 to offset 5000 of a new file (copied, not shared).
      Cmd.run(
              List.of(
                  "python3",
                  "-c",
                  "import os,sys\n"
                      + "s=os.open(sys.argv[1],os.O_RDONLY);d=os.open(sys.argv[2],os.O_WRONLY|os.O_CREAT,0o644)\n"
                      + "print(os.copy_file_range(s,d,100,10,5000))",
                  mnt + "/odd",
                  mnt + "/piece"))
          .check();
      Cmd.run(List.of("sync", "-f", mnt.toString())).check();
      usedAfter = dataUsed(mnt);
      bigIno = ino(mnt.resolve("big"));
      copyIno = ino(mnt.resolve("big.copy"));
      svCopyIno = ino(mnt.resolve("sv/big.copy"));
      try (RandomAccessFile f = new RandomAccessFile(mnt.resolve("big.copy").toFile(), "rw")) {
        f.seek(MiB);
        f.write(new byte[4096]);
      }
    }
    System.out.printf(
        "ReflinkCopyTest: data used %d bytes before three copies, %d after%n",
        usedBefore, usedAfter);
    assertTrue(
        usedAfter - usedBefore < 2 * MiB,
        "copies of 129 MiB took " + (usedAfter - usedBefore) + " bytes of data space");
    BtrfsCheck.assertClean(img, "after copy_file_range");

    String fs =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "5", img.toString()))
            .check()
            .out();
    String sv =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "256", img.toString()))
            .check()
            .out();
    String extents =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "extent", img.toString()))
            .check()
            .out();
    Map<Long, Long> refs = new HashMap<>();
    Matcher e = EXTENT.matcher(extents);
    while (e.find()) refs.put(Long.parseLong(e.group(1)), Long.parseLong(e.group(2)));
    Map<Long, List<Long>> byInode = disks(fs);
    List<Long> big = byInode.get(bigIno);
    List<Long> bigCopy = byInode.get(copyIno);
    List<Long> svCopy = disks(sv).get(svCopyIno);
    assertTrue(big != null && !big.isEmpty(), "big has extents:\n" + fs);
    for (long disk : big) {
      assertTrue(svCopy.contains(disk), "the copy in another subvolume shares extent " + disk);
      // big, the copy in sv, and big.copy (twice for the extent its written block split).
      assertTrue(
          refs.get(disk) >= 3, "references of shared extent " + disk + ": " + refs.get(disk));
    }
    assertTrue(
        bigCopy.containsAll(big), "big.copy's extents include big's: " + bigCopy + " " + big);
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "ro")) {
      byte[] original = Files.readAllBytes(local.resolve("big"));
      assertTrue(java.util.Arrays.equals(original, Files.readAllBytes(k.path().resolve("big"))));
      assertTrue(
          java.util.Arrays.equals(original, Files.readAllBytes(k.path().resolve("sv/big.copy"))));
      byte[] changed = original.clone();
      java.util.Arrays.fill(changed, MiB, MiB + 4096, (byte) 0);
      assertTrue(
          java.util.Arrays.equals(changed, Files.readAllBytes(k.path().resolve("big.copy"))));
      byte[] odd = Files.readAllBytes(local.resolve("odd"));
      assertTrue(java.util.Arrays.equals(odd, Files.readAllBytes(k.path().resolve("odd.copy"))));
      byte[] piece = new byte[5100];
      System.arraycopy(odd, 10, piece, 5000, 100);
      assertTrue(java.util.Arrays.equals(piece, Files.readAllBytes(k.path().resolve("piece"))));
    }
  }

  /** The inode number inside its subvolume (jbtrfs shows other subvolumes' above bit 40). */
  private static long ino(Path p) throws java.io.IOException {
    return (Long) Files.getAttribute(p, "unix:ino") & ((1L << 40) - 1);
  }

  /** Data bytes used, as statfs reports them (blocks minus free). */
  private static long dataUsed(Path mnt) throws java.io.IOException {
    var store = Files.getFileStore(mnt);
    return store.getTotalSpace() - store.getUnallocatedSpace();
  }

  /** Disk bytenrs of each inode's regular extents in a dump of one file tree. */
  private static Map<Long, List<Long>> disks(String dump) {
    Map<Long, List<Long>> out = new HashMap<>();
    Matcher m = DATA.matcher(dump);
    while (m.find()) {
      long disk = Long.parseLong(m.group(2));
      if (disk == 0) continue;
      out.computeIfAbsent(Long.parseLong(m.group(1)), k -> new java.util.ArrayList<>()).add(disk);
    }
    return out;
  }
}
