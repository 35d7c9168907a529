package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background drop of a deleted snapshot survives kill -9. The kernel fills a subvolume with
 * 100,000 files and snapshots it, then rewrites every third file of the snapshot, so its tree holds
 * shared and unshared blocks alike. jbtrfs deletes the snapshot on a live mount; the daemon is
 * killed -9 once its cleaner has committed part of the drop. The image must then hold a
 * half-dropped subvolume as the kernel records one (root item with refs 0 and a drop key, an
 * ORPHAN_ITEM), pass btrfs check, and be finished both by the kernel (on a copy) and by the next
 * jbtrfs mount, whose `subvolume sync` waits for it. At the end btrfs check is clean, the
 * snapshot's items are gone, data usage equals that of the image before the snapshot, and metadata
 * returns within a few nodes.
 */
class SnapshotDropResumeTest {
  private static final int FILES = 100_000;
  private static final int PER_DIR = 1000;
  private static final int NODE_SLACK = 16;
  private static final Pattern PIECE = Pattern.compile("deleted subvolume (\\d+): dropped up to");

  @TempDir Path tmp;

  @Test
  void dropInterruptedByKill9IsFinishedByTheNextMount() throws Exception {
    Environment.requireOracleHost();
    Path img = ImageFiles.mkfs(tmp, "img", 2L << 30);
    Path before = tmp.resolve("before.img");
    long t0 = System.nanoTime();
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      Path src = k.path().resolve("src");
      Cmd.run(List.of("btrfs", "subvolume", "create", src.toString())).check();
      fill(src);
      Cmd.run(List.of("sync")).check();
    }
    Cmd.run(List.of("cp", "--sparse=always", img.toString(), before.toString())).check();
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      Path snap = k.path().resolve("snap");
      Cmd.run(
              List.of(
                  "btrfs",
                  "subvolume",
                  "snapshot",
                  k.path().resolve("src").toString(),
                  snap.toString()))
          .check();
      rewriteEveryThird(snap);
      Cmd.run(List.of("sync")).check();
    }
    System.out.printf(
        "SnapshotDropResumeTest: %d files and a snapshot made in %d s%n",
        FILES, (System.nanoTime() - t0) / 1_000_000_000);
    BlockGroupUsage beforeUsage = BlockGroupUsage.of(before);

    Path mnt = Files.createDirectories(tmp.resolve("jmnt"));
    RwFuseMount m = RwFuseMount.mount(img, mnt, "");
    long snapId;
    try {
      JbtrfsCli.run("subvolume", "delete", mnt.resolve("snap").toString());
      assertFalse(
          Files.exists(mnt.resolve("snap")), "the snapshot is gone from the namespace at once");
      snapId = awaitCommittedPiece(Path.of(m.log), 120);
    } finally {
      m.kill9();
    }
    String root = dumpRoot(img);
    assertTrue(
        root.contains("key (ORPHAN ORPHAN_ITEM " + snapId + ")"),
        "the killed drop left its orphan item:\n" + excerpt(root, snapId));
    Matcher drop =
        Pattern.compile("drop_progress key \\((\\d+) ").matcher(rootItemOf(root, snapId));
    assertTrue(
        drop.find() && !drop.group(1).equals("0"),
        "the drop progress was recorded:\n" + excerpt(root, snapId));
    BtrfsCheck.assertClean(img, "after kill -9 in the middle of a drop");

    // The kernel finishes what jbtrfs began (on a copy).
    Path copy = tmp.resolve("copy.img");
    Cmd.run(List.of("cp", "--sparse=always", img.toString(), copy.toString())).check();
    try (Loop loop = Loop.attach(List.of(copy));
        KernelMount k = KernelMount.mountReadWrite(loop.devices(), tmp.resolve("kmnt"))) {
      Cmd.run(List.of("btrfs", "subvolume", "sync", k.path().toString()), null, 600).check();
    }
    BtrfsCheck.assertClean(copy, "after the kernel finished jbtrfs's drop");
    assertFalse(dumpRoot(copy).contains("ORPHAN_ITEM " + snapId + ")"));
    BlockGroupUsage kernelUsage = BlockGroupUsage.of(copy);
    ImageFiles.deleteQuietly(copy);

    // And so does the next jbtrfs mount, with `subvolume sync` waiting for it.
    long t1 = System.nanoTime();
    try (RwFuseMount again = RwFuseMount.mount(img, mnt, "")) {
      JbtrfsCli.run("subvolume", "sync", again.path().toString());
      assertTrue(
          Files.readString(Path.of(again.log))
              .contains("deleted subvolume " + snapId + " dropped"));
    }
    System.out.printf(
        "SnapshotDropResumeTest: the rest of the drop took %d ms%n",
        (System.nanoTime() - t1) / 1_000_000);
    BtrfsCheck.assertClean(img, "after the next mount finished the drop");
    String after = dumpRoot(img);
    assertFalse(after.contains("ORPHAN_ITEM " + snapId + ")"), excerpt(after, snapId));
    assertFalse(after.contains("key (" + snapId + " ROOT_ITEM"), excerpt(after, snapId));
    BlockGroupUsage afterUsage = BlockGroupUsage.of(img);
    String figures =
        "before the snapshot: "
            + beforeUsage
            + "; after the kernel finished the drop: "
            + kernelUsage
            + "; after jbtrfs finished it: "
            + afterUsage;
    System.out.println("SnapshotDropResumeTest: " + figures);
    assertEquals(beforeUsage.data(), afterUsage.data(), "data: " + figures);
    assertEquals(kernelUsage.data(), afterUsage.data(), "data: " + figures);
    // Emptied extent tree leaves are not merged back whole, by either driver: the kernel's
    // figure for the same drop is the reference.
    assertTrue(
        afterUsage.metadata() - kernelUsage.metadata() <= NODE_SLACK * 16384L,
        "metadata: " + figures);
    assertEquals(
        afterUsage.total(), afterUsage.superBytesUsed(), "superblock bytes_used: " + figures);
  }

  /** 100,000 files in 100 directories: small ones (inline) and every tenth 8 KiB (an extent). */
  private static void fill(Path src) throws IOException {
    for (int d = 0; d < FILES / PER_DIR; d++) {
      Path dir = Files.createDirectory(src.resolve("d" + d));
      for (int i = 0; i < PER_DIR; i++) {
        byte[] body = i % 10 == 0 ? new byte[8192] : ("file " + d + "/" + i + "\n").getBytes();
        body[0] = (byte) i;
        Files.write(dir.resolve("f" + i), body);
      }
    }
  }

  private static void rewriteEveryThird(Path snap) throws IOException {
    for (int d = 0; d < FILES / PER_DIR; d++) {
      for (int i = 0; i < PER_DIR; i += 3) {
        Files.write(
            snap.resolve("d" + d).resolve("f" + i),
            "changed\n".getBytes(),
            StandardOpenOption.APPEND);
      }
    }
  }

  /**
   * Waits until the daemon's log reports a second piece of a drop: the line comes before its
   * piece's commit, and a piece starts only once the one before it is committed, so the first piece
   * is on disk then. Returns the subvolume id.
   */
  private static long awaitCommittedPiece(Path log, int seconds) throws Exception {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      Matcher p = PIECE.matcher(Files.readString(log));
      if (p.find() && p.find()) return Long.parseLong(p.group(1));
      Thread.sleep(10);
    }
    throw new AssertionError(
        "no second drop piece logged within " + seconds + " s:\n" + Files.readString(log));
  }

  private static String dumpRoot(Path img) {
    return Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "root", img.toString()))
        .check()
        .out();
  }

  private static String rootItemOf(String dump, long id) {
    int at = dump.indexOf("key (" + id + " ROOT_ITEM");
    return at < 0 ? "" : dump.substring(at, Math.min(dump.length(), at + 1500));
  }

  private static String excerpt(String dump, long id) {
    String item = rootItemOf(dump, id);
    return item.isEmpty() ? "(no root item of " + id + ")" : item;
  }
}
