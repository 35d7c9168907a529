package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jbtrfs.extent.NoSpaceException;
import org.jbtrfs.format.BlockGroupItem;
import org.jbtrfs.format.ItemType;
import org.jbtrfs.format.Key;
import org.jbtrfs.format.Le;
import org.jbtrfs.format.ObjectIds;
import org.jbtrfs.fs.Filesystem;
import org.jbtrfs.fs.MountOptions;
import org.jbtrfs.tree.WritableTree;
import org.jbtrfs.txn.WriteEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data chunk allocation at the edge: 32 threads write at once into a jbtrfs mount whose only data
 * chunk is nearly full, and exactly one new data chunk must appear (it holds all 32 writes). Then,
 * through the Java API, a chunk allocation that fails because the device is full: the next attempt
 * must fail the same clean way (the "allocating a chunk" flag that stops recursion is not left set,
 * nothing hangs), and once there is room again allocation works, including a new chunk.
 */
class ChunkAllocationTest {
  private static final long MiB = 1L << 20;
  private static final int THREADS = 32;
  private static final Pattern CHUNK =
      Pattern.compile(
          "CHUNK_ITEM (\\d+)\\)[^\\n]*\\n\\s*length (\\d+) owner \\d+ "
              + "stripe_len \\d+ type (\\S+)");

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  @Test
  void thirtyTwoWritersOverflowIntoOneNewChunk(@TempDir Path tmp) throws Exception {
    long t0 = System.nanoTime();
    Path img = ImageFiles.mkfs(tmp, "chunk.img", 1L << 30);
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    List<long[]> before = dataChunks(img);
    assertEquals(1, before.size(), "mkfs should make one data chunk");
    long chunk0 = before.get(0)[1];
    // Fill the only data chunk to within 512 KiB.
    long prefill = chunk0 - 512 * 1024;
    try (RwFuseMount m = RwFuseMount.mount(img, mnt, "")) {
      EnospcSupport.writeFile(mnt.resolve("prefill"), prefill, 1, null);
    }
    List<long[]> filled = dataChunks(img);
    BlockGroupUsage u = BlockGroupUsage.of(img);
    assertEquals(before.size(), filled.size(), "the prefill already allocated a data chunk");
    assertTrue(chunk0 - u.data() < MiB, "the first data chunk is not nearly full: " + u);

    Map<Path, byte[]> digests = new ConcurrentSkipListMap<>();
    try (RwFuseMount m = RwFuseMount.mount(img, mnt, "")) {
      CountDownLatch go = new CountDownLatch(1);
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int id = t;
          fs.add(
              pool.submit(
                  () -> {
                    Path f = mnt.resolve("t" + id);
                    go.await();
                    // Mixed sizes, all at once, each thread syncing its own file.
                    long size = MiB / 4 + id * 64L * 1024;
                    digests.put(f, EnospcSupport.writeFile(f, size, 100 + id, new AtomicLong()));
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                      ch.force(true);
                    }
                    return null;
                  }));
        }
        go.countDown();
        for (Future<?> f : fs) f.get(300, TimeUnit.SECONDS);
      } finally {
        pool.shutdownNow();
      }
    }
    List<long[]> after = dataChunks(img);
    long written = 0;
    for (int t = 0; t < THREADS; t++) written += MiB / 4 + t * 64L * 1024;
    System.out.printf(
        "ChunkAllocationTest: data chunks before %s, after prefill of %d bytes %s, after %d threads"
            + " wrote %d bytes %s%n",
        show(before), prefill, show(filled), THREADS, written, show(after));
    assertEquals(filled.size() + 1, after.size(), "expected exactly one new data chunk");
    assertTrue(
        after.get(after.size() - 1)[1] >= written, "the new chunk cannot hold all the writes");
    BtrfsCheck.assertClean(img, "after the concurrent overflow");
    try (Loop loop = Loop.attach(List.of(img));
        KernelMount km = KernelMount.mount(loop.devices(), tmp.resolve("kmnt"), "")) {
      for (Map.Entry<Path, byte[]> e : digests.entrySet()) {
        Path p = km.path().resolve(mnt.relativize(e.getKey()));
        assertArrayEquals(e.getValue(), EnospcSupport.digestOf(p), "kernel reads " + p + " wrong");
      }
    }
    System.out.printf(
        "ChunkAllocationTest.thirtyTwoWriters passed in %d s%n",
        (System.nanoTime() - t0) / 1_000_000_000);
  }

  /**
   * The device made to look full (its DEV_ITEM's total_bytes lowered to what is allocated, in the
   * running transaction): data allocations run until a chunk is needed and cannot be had, twice,
   * each a clean NoSpaceException. Then total_bytes is put back and the next allocation adds a
   * chunk, which a stuck recursion flag would refuse. Everything is returned and committed, and
   * btrfs check must find the result clean.
   */
  @Test
  void failedChunkAllocationLeavesNoStuckState(@TempDir Path tmp) throws Exception {
    Path img = ImageFiles.mkfs(tmp, "api.img", 512 * MiB);
    // Where the last device extent ends: total_bytes there leaves no room past it (gaps below
    // it may still take small chunks; the fill below uses them up too).
    String devDump =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "dev", img.toString()))
            .check()
            .out();
    Matcher dm =
        Pattern.compile("DEV_EXTENT (\\d+)\\)[^\\n]*\\n[^\\n]*\\n[^\\n]*length (\\d+)")
            .matcher(devDump);
    long devEnd = 0;
    while (dm.find())
      devEnd = Math.max(devEnd, Long.parseLong(dm.group(1)) + Long.parseLong(dm.group(2)));
    assertTrue(devEnd > 0, "no DEV_EXTENT in dump-tree -t dev:\n" + devDump);
    int groupsBefore;
    int groupsAfter;
    long newChunk;
    try (Filesystem fs =
        Filesystem.open(List.of(img), MountOptions.readOnlyDefaults().withReadOnly(false))) {
      WriteEngine engine = WriteEngine.open(fs);
      long devid = fs.devices().all().keySet().iterator().next();
      Key devKey = new Key(ObjectIds.DEV_ITEMS, ItemType.DEV_ITEM, devid);
      WritableTree chunkTree = engine.tree(ObjectIds.CHUNK_TREE);
      byte[] dev = chunkTree.get(devKey);
      long total = Le.u64(dev, 8);
      Le.put64(dev, 8, devEnd);
      chunkTree.put(devKey, dev);

      List<long[]> taken = new ArrayList<>();
      NoSpaceException first =
          EnospcSupport.within(
              60,
              "filling data",
              () -> {
                while (true) {
                  try {
                    taken.add(new long[] {engine.allocateData(MiB), MiB});
                  } catch (NoSpaceException e) {
                    return e;
                  }
                }
              });
      groupsBefore = engine.groups().all().size();
      System.out.println(
          "ChunkAllocationTest: data full after " + taken.size() + " MiB: " + first.getMessage());
      for (int i = 0; i < 3; i++) {
        NoSpaceException again =
            EnospcSupport.within(
                60,
                "allocating on a full device",
                () -> assertThrows(NoSpaceException.class, () -> engine.allocateData(4096)));
        assertEquals(
            groupsBefore, engine.groups().all().size(), "a chunk was allocated on a full device");
        assertTrue(
            again.getMessage().contains("no unallocated device space"),
            "attempt " + i + " did not try (and fail) to allocate a chunk: " + again.getMessage());
      }
      // Metadata still comes from the existing metadata groups.
      long node = engine.allocate(ObjectIds.FS_TREE, 0);
      engine.free(node, ObjectIds.FS_TREE, 0);

      // Room again: total_bytes back, and the next allocation must add a chunk.
      dev = chunkTree.get(devKey);
      Le.put64(dev, 8, total);
      chunkTree.put(devKey, dev);
      long at =
          EnospcSupport.within(
              60, "allocating after the device has room", () -> engine.allocateData(MiB));
      taken.add(new long[] {at, MiB});
      groupsAfter = engine.groups().all().size();
      assertEquals(
          groupsBefore + 1,
          groupsAfter,
          "allocating after a failed chunk allocation added no chunk");
      var bg = engine.groups().find(at);
      assertTrue(
          (bg.flags() & BlockGroupItem.TYPE_DATA) != 0 && bg.start() >= 0,
          "allocated outside a data group");
      newChunk = bg.start();

      for (long[] t : taken) engine.groups().freeUncommitted(t[0], t[1]);
      engine.commit();
    }
    System.out.println("ChunkAllocationTest: block groups " + groupsBefore + " -> " + groupsAfter);
    BtrfsCheck.assertClean(img, "after the failed and then successful chunk allocation");
    // The commit also removes groups left empty (the kernel's cleaner would too), so the new chunk
    // is looked for by its address.
    try (Filesystem fs = Filesystem.open(List.of(img), MountOptions.readOnlyDefaults())) {
      assertEquals(
          newChunk, fs.chunks().lookup(newChunk).logical(), "the new chunk was not committed");
    }
  }

  /**
   * A really full device (every byte allocated to chunks): NoSpace, again NoSpace, then freed space
   * works.
   */
  @Test
  void fullDeviceFailsTheSameWayEveryTime(@TempDir Path tmp) throws Exception {
    Path img = ImageFiles.mkfs(tmp, "full.img", 256 * MiB);
    try (Filesystem fs =
        Filesystem.open(List.of(img), MountOptions.readOnlyDefaults().withReadOnly(false))) {
      WriteEngine engine = WriteEngine.open(fs);
      List<Long> taken = new ArrayList<>();
      long chunk = 16 * MiB;
      EnospcSupport.within(
          120,
          "filling the device",
          () -> {
            for (long want = chunk; want >= 4096; ) {
              try {
                taken.add(engine.allocateData(want));
                taken.add(want);
              } catch (NoSpaceException e) {
                want /= 2;
              }
            }
            return null;
          });
      long groups = engine.groups().all().size();
      for (int i = 0; i < 3; i++) {
        EnospcSupport.within(
            60,
            "allocating on a full device",
            () -> assertThrows(NoSpaceException.class, () -> engine.allocateData(4096)));
      }
      assertEquals(groups, engine.groups().all().size());
      long at = taken.get(taken.size() / 2 / 2 * 2);
      long len = taken.get(taken.size() / 2 / 2 * 2 + 1);
      engine.groups().freeUncommitted(at, len);
      assertEquals(
          at,
          (long)
              EnospcSupport.within(60, "allocating freed space", () -> engine.allocateData(len)));
      long bytes = 0;
      for (int i = 1; i < taken.size(); i += 2) bytes += taken.get(i);
      System.out.printf(
          "ChunkAllocationTest: a full 256 MiB device: %d block groups, %d bytes of data"
              + " allocated%n",
          groups, bytes);
      for (int i = 0; i < taken.size(); i += 2)
        engine.groups().freeUncommitted(taken.get(i), taken.get(i + 1));
      engine.commit();
    }
    BtrfsCheck.assertClean(img, "after filling the device with chunks");
  }

  /** [logical, length] of every DATA chunk, from btrfs-progs. */
  static List<long[]> dataChunks(Path img) {
    String dump =
        Cmd.run(List.of("btrfs", "inspect-internal", "dump-tree", "-t", "chunk", img.toString()))
            .check()
            .out();
    List<long[]> out = new ArrayList<>();
    Matcher m = CHUNK.matcher(dump);
    while (m.find()) {
      if (m.group(3).startsWith("DATA"))
        out.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
    }
    return out;
  }

  private static String show(List<long[]> chunks) {
    StringBuilder sb = new StringBuilder();
    for (long[] c : chunks)
      sb.append('[').append(c[0]).append(" +").append(c[1] >> 20).append(" MiB]");
    return chunks.size() + " " + sb;
  }
}
