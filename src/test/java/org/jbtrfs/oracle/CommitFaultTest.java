package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jbtrfs.format.Superblock;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.fs.write.FsOps;
import org.jbtrfs.txn.WriteEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit cut short at every interesting write: the image must still pass btrfs check, mount in
 * the kernel, and show exactly the old committed state, or (once the primary superblock is down)
 * exactly the new one. Two ways to fail: the device throws (the engine sees an I/O error) or
 * silently drops every write after the Nth (a power cut the engine does not notice). Either way a
 * later jbtrfs open must work and be able to commit again.
 *
 * <p>The changes (a 30-file tree with a 12 MiB file, an unlink, a truncate) also force a data chunk
 * allocation, so the cut points cover chunk tree and device tree updates too.
 *
 * <p>Also checks the commit's write barriers: all tree blocks, then a flush, then the superblocks,
 * then a flush.
 */
class CommitFaultTest {
  private static final Set<Long> SUPER_OFFSETS = new TreeSet<>();

  static {
    for (long o : Superblock.MIRROR_OFFSETS) SUPER_OFFSETS.add(o);
  }

  /** Mounts read-only with noatime, so nothing is ignored: all changes use fixed times. */
  private static final Set<String> IGNORED = Set.of();

  @BeforeAll
  static void host() {
    Environment.requireOracleHost();
  }

  @Test
  void interruptedCommitLeavesOldOrNewState(@TempDir Path tmp) throws IOException {
    long t0 = System.nanoTime();
    Path mnt = tmp.resolve("mnt");
    Path base = ImageFiles.mkfs(tmp, "base.img", 512L << 20);
    Path work = tmp.resolve("work.img");
    try {
      Path initial = sourceTree(tmp.resolve("initial"), 1);
      JbtrfsCli.run("put", base.toString(), initial.toString(), "/base");
      Path added = sourceTree(tmp.resolve("added"), 2);
      Manifest oldState = kernelView(base, mnt);

      // The full run: counts the commit's writes and gives the new state.
      copyImage(base, work);
      FaultyDevice.Plan measure = new FaultyDevice.Plan(FaultyDevice.Mode.DROP, Long.MAX_VALUE);
      changeAndCommit(work, added, measure);
      long total = measure.writes();
      int firstSuper = checkBarriers(measure.events);
      BtrfsCheck.assertClean(work, "after the uninterrupted commit");
      int groupsBefore = BlockGroupUsage.of(base).groups();
      int groupsAfter = BlockGroupUsage.of(work).groups();
      assertTrue(
          groupsAfter > groupsBefore,
          "the commit should add a block group: " + groupsBefore + " -> " + groupsAfter);
      Manifest newState = kernelView(work, mnt);
      assertTrue(
          !Manifest.diff(oldState, newState, IGNORED).isEmpty(),
          "the changes changed nothing visible");
      System.out.printf(
          "CommitFaultTest: commit does %d writes (%d flushes); first superblock write is #%d%n",
          total, measure.flushes(), firstSuper + 1);

      List<Long> cuts = cutPoints(total, firstSuper);
      for (FaultyDevice.Mode mode : FaultyDevice.Mode.values()) {
        for (long n : cuts) {
          String label = mode + " after " + n + " of " + total + " writes";
          copyImage(base, work);
          FaultyDevice.Plan plan = new FaultyDevice.Plan(mode, n);
          if (mode == FaultyDevice.Mode.THROW && n < total) {
            assertThrows(
                IOException.class,
                () -> changeAndCommit(work, added, plan),
                label + ": commit should fail");
          } else {
            changeAndCommit(work, added, plan);
          }
          BtrfsCheck.assertClean(work, label);
          // Past the first superblock write the primary copy, which the kernel and btrfs check
          // read, describes the new trees, all of which were written before it.
          boolean expectNew = n > firstSuper;
          List<String> d =
              Manifest.diff(expectNew ? newState : oldState, kernelView(work, mnt), IGNORED);
          if (!d.isEmpty()) {
            fail(
                label
                    + ": kernel does not see the "
                    + (expectNew ? "new" : "old")
                    + " state: "
                    + Manifest.report(d, 20));
          }
          reopenAndWrite(work, label);
          BtrfsCheck.assertClean(work, label + ", then reopened and committed again");
        }
      }
      System.out.printf(
          "CommitFaultTest: %d cut points x 2 modes passed in %d s%n",
          cuts.size(), (System.nanoTime() - t0) / 1_000_000_000);
    } finally {
      ImageFiles.deleteQuietly(base);
      ImageFiles.deleteQuietly(work);
    }
  }

  /** A small deterministic tree: a few inline files, a few extents, a subdirectory, a symlink. */
  private static Path sourceTree(Path dir, long seed) throws IOException {
    Files.createDirectories(dir.resolve("sub"));
    for (int i = 0; i < 30; i++) {
      long size = (i % 3 == 0) ? 100 + i * 37 : (i % 3 == 1) ? 5000 + i * 4099 : 300_000 + i;
      ImageFiles.randomFile(
          dir.resolve((i % 2 == 0 ? "sub/" : "") + "f" + i), size, seed * 1000 + i);
    }
    Files.createSymbolicLink(dir.resolve("link"), Path.of("sub/f0"));
    // The second tree overflows mkfs's 8 MiB data chunk, so the commit also carries a chunk
    // allocation (chunk tree, device tree, block group items).
    if (seed == 2) ImageFiles.randomFile(dir.resolve("big"), 12L << 20, 99);
    return dir;
  }

  /** The same changes every time: put a tree, remove a file, truncate one; times fixed. */
  private static void changeAndCommit(Path image, Path added, FaultyDevice.Plan plan)
      throws IOException {
    try (Filesystem fs =
        Filesystem.open(
            List.of(image),
            MountOptions.readOnlyDefaults().withReadOnly(false),
            d -> new FaultyDevice(d, plan))) {
      WriteEngine engine = WriteEngine.open(fs);
      long subvol = fs.defaultSubvolumeId();
      FsOps ops = new FsOps(engine, subvol);
      long root = fs.subvolume(subvol).rootDirIno();
      TreeCopier.copy(ops, added, root, "added");
      long baseDir = ops.entries().lookup(root, bytes("base")).ino();
      ops.unlink(baseDir, bytes("f1"));
      long f3 = ops.entries().lookup(baseDir, bytes("f3")).ino();
      ops.data().truncate(f3, 1234);
      for (long ino : new long[] {root, baseDir, f3}) TreeCopier.fixTimes(ops, ino);
      plan.arm();
      engine.commit();
    }
  }

  /**
   * The commit must write every tree block, flush, write the superblocks, flush: otherwise a crash
   * could leave a superblock pointing at blocks that never reached the disk. Returns the index
   * among the writes of the first superblock write.
   */
  private static int checkBarriers(List<FaultyDevice.Event> events) {
    int lastBlock = -1;
    int firstSuper = -1;
    int lastSuper = -1;
    int writeIndex = 0;
    int firstSuperWriteIndex = -1;
    for (int i = 0; i < events.size(); i++) {
      FaultyDevice.Event e = events.get(i);
      if (e.isFlush()) continue;
      if (SUPER_OFFSETS.contains(e.offset())) {
        if (firstSuper < 0) {
          firstSuper = i;
          firstSuperWriteIndex = writeIndex;
          assertEquals(
              Superblock.MIRROR_OFFSETS[0],
              e.offset(),
              "the primary superblock must be written first");
        }
        lastSuper = i;
      } else {
        lastBlock = i;
      }
      writeIndex++;
    }
    assertTrue(firstSuper > lastBlock, "a tree block was written after a superblock: " + events);
    boolean flushBetween = false;
    for (int i = lastBlock + 1; i < firstSuper; i++) flushBetween |= events.get(i).isFlush();
    assertTrue(flushBetween, "no flush between the last tree block and the first superblock");
    boolean flushAfter = false;
    for (int i = lastSuper + 1; i < events.size(); i++) flushAfter |= events.get(i).isFlush();
    assertTrue(flushAfter, "no flush after the superblocks");
    return firstSuperWriteIndex;
  }

  /** 0..3, Fibonacci steps, and every write around the superblocks and the end. */
  private static List<Long> cutPoints(long total, int firstSuper) {
    TreeSet<Long> s = new TreeSet<>();
    for (long a = 0, b = 1; a <= total; ) {
      s.add(a);
      long c = a + b;
      a = b;
      b = c;
    }
    for (long k = firstSuper - 1; k <= total; k++) if (k >= 0) s.add(k);
    s.add(total / 2);
    return new ArrayList<>(s);
  }

  /** A fresh jbtrfs open must work, read everything and commit a further change. */
  private static void reopenAndWrite(Path image, String label) throws IOException {
    try (Filesystem fs =
        Filesystem.open(List.of(image), MountOptions.readOnlyDefaults().withReadOnly(false))) {
      FsWalk walk = FsWalk.of(fs);
      assertTrue(walk.ioErrors == 0, label + ": jbtrfs reopen read errors " + walk.errors);
      WriteEngine engine = WriteEngine.open(fs);
      long subvol = fs.defaultSubvolumeId();
      FsOps ops = new FsOps(engine, subvol);
      ops.create(
          fs.subvolume(subvol).rootDirIno(),
          bytes("after"),
          org.jbtrfs.format.FileType.S_IFDIR | 0755,
          0,
          0,
          0);
      engine.commit();
    }
  }

  private static Manifest kernelView(Path image, Path mnt) {
    try (Loop loop = Loop.attach(List.of(image));
        KernelMount m = KernelMount.mount(loop.devices(), mnt, "")) {
      return ManifestReader.read(m.path());
    }
  }

  private static void copyImage(Path from, Path to) {
    Cmd.run(List.of("cp", "--sparse=always", from.toString(), to.toString())).check();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
