package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * jbtrfs writes to a filesystem whose tree blocks and data extents are shared between a subvolume,
 * its snapshot and a snapshot of that snapshot. The kernel builds the subvolume (~4,200 files in
 * multi-level directories, reflinked data) and the snapshots; jbtrfs then changes the source and
 * both snapshots through ./fuse-mount (the top-level mount, subvolid= and subvol=), so shared
 * leaves and nodes are COWed from every side, and a second round thins directories whose blocks
 * both sides already COWed. The same changes go to local copies.
 *
 * <p>Judged by: btrfs check (it recounts every tree block and data extent reference), a kernel
 * mount showing each subvolume exactly as its local copy, the kernel deleting the snapshot (which
 * walks the shared blocks by their references) with btrfs check clean again, and finally jbtrfs
 * deleting every file left: data usage must return to zero and metadata to the fresh-mkfs figure
 * within a few nodes.
 *
 * <p>A read-only snapshot (snapshot -r) on the same filesystem must refuse changes with EROFS and
 * stay as the kernel made it.
 *
 * <p>With 4K nodes the subvolume tree has several levels, so nodes are shared as well as leaves.
 *
 * <p>The snapshots are made by the kernel, or (offline, `jbtrfs subvolume snapshot`) by jbtrfs,
 * after which a kernel mount must show the same subvolume list, parent uuids and read-only flags;
 * and deleted by the kernel, by jbtrfs (`jbtrfs subvolume delete`), or one by each. btrfs check
 * after each deletion and the space returned at the end judge both the references jbtrfs's
 * snapshots add and the ones its deletion drops.
 */
class SnapshotWriteTest {
  /** Metadata nodes the emptied trees may keep beyond a fresh filesystem (roots, shapes). */
  private static final int NODE_SLACK = 16;

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  @ParameterizedTest(name = "nodesize {0}, snapshots made by {1}, deleted by {2}")
  @CsvSource({"16384, kernel, kernel", "4096, kernel, jbtrfs", "4096, jbtrfs, mixed"})
  void writesToSubvolumeAndSnapshotsStayConsistent(
      int nodeSize, String snapshotMaker, String deleter, @TempDir Path tmp) {
    long t0 = System.nanoTime();
    Path img = ImageFiles.mkfs(tmp, "img", 1L << 30, "-n", Integer.toString(nodeSize));
    Path kmnt = tmp.resolve("kmnt");
    Path fmnt = tmp.resolve("fmnt");
    Path local = tmp.resolve("local");
    try {
      Files.createDirectories(fmnt);
      BlockGroupUsage fresh = BlockGroupUsage.of(img);
      boolean byJbtrfs = snapshotMaker.equals("jbtrfs");
      long snapId = buildWithKernel(img, kmnt, local, byJbtrfs);
      BtrfsCheck.assertClean(img, "after " + snapshotMaker + " made the snapshots");

      // Round one: each subvolume changed by its own mount flavour, source first so that its
      // shared blocks become FULL_BACKREF before the snapshots COW them.
      Map<String, Set<String>> stamped = new LinkedHashMap<>();
      long window = System.currentTimeMillis() / 1000;
      try (RwFuseMount m = RwFuseMount.mount(img, fmnt, "")) {
        stamped.put("src", changeBoth(m.path().resolve("src"), local.resolve("src"), 0));
        assertReadOnly(m.path().resolve("rosnap"));
      }
      stamped.put("rosnap", Set.of());
      try (RwFuseMount m = RwFuseMount.mount(img, fmnt, "subvolid=" + snapId)) {
        stamped.put("snap", changeBoth(m.path(), local.resolve("snap"), 1));
      }
      try (RwFuseMount m = RwFuseMount.mount(img, fmnt, "subvol=snap2")) {
        stamped.put("snap2", changeBoth(m.path(), local.resolve("snap2"), 2));
      }
      // Round two: thin a directory all three still share, from the source and the snapshot.
      try (RwFuseMount m = RwFuseMount.mount(img, fmnt, "")) {
        for (String sv : List.of("src", "snap")) {
          int phase = sv.equals("src") ? 0 : 1;
          SubvolumeChanges.thin(m.path().resolve(sv), "d20", phase);
          stamped.get(sv).addAll(SubvolumeChanges.thin(local.resolve(sv), "d20", phase));
        }
      }
      BtrfsCheck.assertClean(img, "after jbtrfs changed the subvolume and its snapshots");
      compareWithKernel(
          img, kmnt, local, stamped, window, List.of("src", "snap", "snap2", "rosnap"));

      // The snapshots are dropped by walking their blocks' references: by the kernel, by
      // jbtrfs (offline), or one by each.
      List<String> byJbtrfsDelete =
          switch (deleter) {
            case "jbtrfs" -> List.of("snap", "rosnap");
            case "mixed" -> List.of("snap");
            default -> List.of();
          };
      for (String sv : byJbtrfsDelete) {
        JbtrfsCli.run("subvolume", "delete", img.toString(), sv);
        BtrfsCheck.assertClean(img, "after jbtrfs deleted " + sv);
      }
      try (Loop loop = Loop.attach(List.of(img));
          KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
        for (String sv : List.of("snap", "rosnap")) {
          if (byJbtrfsDelete.contains(sv)) continue;
          sh("btrfs", "subvolume", "delete", k.path().resolve(sv).toString());
        }
        sh("btrfs", "subvolume", "sync", k.path().toString());
      }
      BtrfsCheck.assertClean(img, "after the snapshots were deleted (" + deleter + ")");
      compareWithKernel(img, kmnt, local, stamped, window, List.of("src", "snap2"));

      // Everything jbtrfs (and the kernel) wrote goes; what is left must be an empty filesystem.
      try (RwFuseMount m = RwFuseMount.mount(img, fmnt, "")) {
        for (String sv : List.of("src", "snap2")) {
          try (var entries = Files.list(m.path().resolve(sv))) {
            for (Path p : entries.toList()) {
              if (Files.isDirectory(p)) SubvolumeChanges.deleteTree(p);
              else Files.delete(p);
            }
          }
        }
      }
      BtrfsCheck.assertClean(img, "after deleting every file");
      BlockGroupUsage empty = BlockGroupUsage.of(img);
      String figures = "fresh: " + fresh + "; emptied: " + empty;
      System.out.println(
          "SnapshotWriteTest nodesize "
              + nodeSize
              + ", "
              + snapshotMaker
              + "/"
              + deleter
              + ": "
              + figures);
      assertEquals(0, empty.data(), "data extents left behind: " + figures);
      assertTrue(
          empty.metadata() - fresh.metadata() <= (long) NODE_SLACK * nodeSize,
          "metadata did not return within " + NODE_SLACK + " nodes: " + figures);
      assertEquals(empty.total(), empty.superBytesUsed(), "superblock bytes_used: " + figures);
      System.out.printf(
          "SnapshotWriteTest nodesize %d, %s/%s passed in %d s%n",
          nodeSize, snapshotMaker, deleter, (System.nanoTime() - t0) / 1_000_000_000);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      ImageFiles.deleteQuietly(img);
      ImageFiles.deleteQuietly(local);
    }
  }

  /**
   * mkfs'd image → subvolume "src" filled by the kernel, reflinks, snapshot "snap" of src and
   * "snap2" of snap, "rosnap" read-only of src, made by the kernel or by jbtrfs offline; local
   * copies of all four. Returns snap's subvolume id.
   */
  private static long buildWithKernel(Path img, Path kmnt, Path local, boolean byJbtrfs)
      throws java.io.IOException {
    Files.createDirectories(local);
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), kmnt)) {
      Path src = k.path().resolve("src");
      sh("btrfs", "subvolume", "create", src.toString());
      SubvolumeChanges.populate(src);
      sh("cp", "--reflink=always", src.resolve("big").toString(), src + "/big.reflink");
      sh("cp", "--reflink=always", src.resolve("big").toString(), src + "/d3/big.copy");
      sh("sync");
      if (!byJbtrfs) {
        sh("btrfs", "subvolume", "snapshot", src.toString(), k.path().resolve("snap").toString());
        sh("btrfs", "subvolume", "snapshot", k.path() + "/snap", k.path() + "/snap2");
        sh("btrfs", "subvolume", "snapshot", "-r", src.toString(), k.path() + "/rosnap");
      }
      for (String sv : List.of("src", "snap", "snap2", "rosnap")) {
        Path from = byJbtrfs ? src : k.path().resolve(sv);
        sh("cp", "-a", from.toString(), local.resolve(sv).toString());
      }
    }
    if (byJbtrfs) {
      JbtrfsCli.run("subvolume", "snapshot", img.toString(), "src", "snap");
      BtrfsCheck.assertClean(img, "after jbtrfs snapshotted src");
      JbtrfsCli.run("subvolume", "snapshot", img.toString(), "snap", "snap2");
      JbtrfsCli.run("subvolume", "snapshot", "-r", img.toString(), "src", "rosnap");
    }
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), kmnt, "")) {
      assertSnapshotRelations(k.path());
      String id =
          Cmd.run(List.of("btrfs", "inspect-internal", "rootid", k.path() + "/snap"))
              .check()
              .out()
              .trim();
      return Long.parseLong(id);
    }
  }

  /** The subvolume list a kernel mount shows, the same whoever made the snapshots. */
  private static void assertSnapshotRelations(Path mnt) {
    assertEquals(
        List.of(
            "src parent 5 from - ro=false",
            "snap parent 5 from src ro=false",
            "snap2 parent 5 from snap ro=false",
            "rosnap parent 5 from src ro=true"),
        SubvolumeRelations.of(mnt));
  }

  /** A read-only snapshot refuses changes with EROFS, as under the kernel, and stays readable. */
  private static void assertReadOnly(Path rosnap) throws java.io.IOException {
    assertTrue(
        Files.readAllBytes(rosnap.resolve("big")).length == 3 << 20, "rosnap/big unreadable");
    for (Runnable change :
        List.<Runnable>of(
            () -> SubvolumeChanges.change(rosnap, 0),
            () -> SubvolumeChanges.thin(rosnap, "d21", 0))) {
      try {
        change.run();
        fail("a read-only snapshot accepted a change");
      } catch (java.io.UncheckedIOException e) {
        assertTrue(
            String.valueOf(e.getCause().getMessage()).contains("Read-only file system"),
            "expected EROFS, got " + e.getCause());
      }
    }
  }

  private static Set<String> changeBoth(Path mounted, Path expected, int variant) {
    SubvolumeChanges.change(mounted, variant);
    return new TreeSet<>(SubvolumeChanges.change(expected, variant));
  }

  private static void compareWithKernel(
      Path img,
      Path kmnt,
      Path local,
      Map<String, Set<String>> stamped,
      long window,
      List<String> subvolumes) {
    List<String> problems = new ArrayList<>();
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mount(loop.devices(), kmnt, "")) {
      for (String sv : subvolumes) {
        for (String d :
            LocalVsImage.diff(local.resolve(sv), k.path().resolve(sv), stamped.get(sv), window)) {
          problems.add(sv + ": " + d);
        }
      }
    }
    if (!problems.isEmpty()) fail("kernel view differs: " + Manifest.report(problems, 40));
  }

  private static void sh(String... cmd) {
    Cmd.run(List.of(cmd), null, 600).check();
  }
}
