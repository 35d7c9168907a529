package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.txn.WriteEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * System chunks (the ones holding the chunk tree) on a two-device RAID1 filesystem, added through
 * the API (the kernel's force_chunk_alloc): each must appear both in the chunk tree and in every
 * superblock's system chunk array, since that array is all a mount has to find the chunk tree.
 * btrfs check must be clean and the kernel must mount the result and read the files in it.
 */
class SystemChunkAllocationTest {
  private static final long MiB = 1L << 20;
  private static final Pattern SYS_ARRAY_CHUNK =
      Pattern.compile("item \\d+ key \\(FIRST_CHUNK_TREE CHUNK_ITEM (\\d+)\\)");

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  @Test
  void systemChunksGoIntoTheSuperblockArray(@TempDir Path tmp) throws Exception {
    List<Path> imgs = List.of(tmp.resolve("a.img"), tmp.resolve("b.img"));
    for (Path p : imgs) Loop.createSparse(p, 512 * MiB);
    Cmd.run(
            List.of(
                "mkfs.btrfs",
                "-q",
                "-f",
                "-d",
                "raid1",
                "-m",
                "raid1",
                imgs.get(0).toString(),
                imgs.get(1).toString()))
        .check();
    Path file = tmp.resolve("hello");
    ImageFiles.randomFile(file, 3 * MiB, 5);
    JbtrfsCli.run(
        "put",
        imgs.get(0).toString(),
        file.toString(),
        "/before",
        "--device",
        imgs.get(1).toString());
    List<Long> before = sysArrayChunks(imgs);
    try (Filesystem fs =
        Filesystem.open(imgs, MountOptions.readOnlyDefaults().withReadOnly(false))) {
      WriteEngine engine = WriteEngine.open(fs);
      for (int i = 0; i < 3; i++) engine.forceChunkAllocation(BlockGroupItem.TYPE_SYSTEM);
      engine.commit();
    }
    JbtrfsCli.run(
        "put",
        imgs.get(0).toString(),
        file.toString(),
        "/after",
        "--device",
        imgs.get(1).toString());
    List<Long> after = sysArrayChunks(imgs);
    System.out.println("SystemChunkAllocationTest: system chunk array " + before + " -> " + after);
    assertEquals(before.size() + 3, after.size(), "system chunks missing from the array");
    assertEquals(before, after.subList(0, before.size()), "existing entries changed");

    try (Loop loop = Loop.attach(imgs)) {
      DeviceSetDump d = DeviceSetDump.of(loop.devices());
      List<Long> inTree = new ArrayList<>();
      for (DeviceSetDump.Chunk c : d.ofType("SYSTEM")) {
        inTree.add(c.logical());
        assertEquals("SYSTEM|RAID1", c.type(), c.describe());
        assertEquals(2, c.stripes().size(), c.describe());
        assertTrue(c.stripes().get(0)[0] != c.stripes().get(1)[0], c.describe());
        // 10% of 1 GiB rounds up to 112 MiB, so the 32 MiB system limit applies.
        if (!before.contains(c.logical())) assertEquals(32 * MiB, c.length(), c.describe());
      }
      assertEquals(after, inTree, "chunk tree and superblock array disagree");
      for (var e : d.bytesUsed.entrySet()) {
        assertEquals(d.devExtentBytes.get(e.getKey()), e.getValue(), "devid " + e.getKey());
      }
      Cmd.Result check =
          Cmd.run(List.of("btrfs", "check", "--readonly", loop.devices().get(0)), null, 600);
      assertEquals(0, check.exitCode(), check.out() + check.stderr());
      try (KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("mnt"), "")) {
        for (String n : List.of("before", "after")) {
          assertTrue(
              java.util.Arrays.equals(
                  Files.readAllBytes(file), Files.readAllBytes(km.path().resolve(n))),
              "kernel reads /" + n + " wrong");
        }
      }
    }
  }

  /** Logical starts of the chunks in the first device's superblock system chunk array. */
  private static List<Long> sysArrayChunks(List<Path> imgs) {
    List<Long> out = new ArrayList<>();
    for (Path img : imgs) {
      String dump =
          Cmd.run(List.of("btrfs", "inspect-internal", "dump-super", "-f", img.toString()))
              .check()
              .out();
      List<Long> these = new ArrayList<>();
      Matcher m = SYS_ARRAY_CHUNK.matcher(dump.substring(dump.indexOf("sys_chunk_array")));
      while (m.find()) these.add(Long.parseLong(m.group(1)));
      if (out.isEmpty()) out.addAll(these);
      else assertEquals(out, these, img + " has another system chunk array");
    }
    return out;
  }
}
