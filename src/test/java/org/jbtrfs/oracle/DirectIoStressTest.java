package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An fsstress-like mix with O_DIRECT on a small, constantly full filesystem: a fresh 128 MiB
 * mkfs.btrfs image mounted through jbtrfs, 4 threads for (by default) 2 minutes doing aligned
 * direct writes and reads, buffered writes, truncates, unlinks and fsyncs on their own files, sized
 * so that the filesystem keeps running out of space. Every call must return (a watchdog fails the
 * test with a thread dump of the daemon when one hangs), the only error allowed is ENOSPC (no
 * EROFS, no EIO), every read returns exactly what the model of the file says, and after unmount
 * `btrfs check` is clean. -Djbtrfs.directIoStress.seconds=N sets the duration.
 */
class DirectIoStressTest {
  private static final long IMAGE = 128L << 20;
  private static final int THREADS = 4;
  private static final int FILES_PER_THREAD = 6;
  private static final int MAX_FILE = 24 << 20;
  private static final int ALIGN = 4096;
  private static final long WATCHDOG_SECONDS = 60;

  private enum Op {
    DIRECT_WRITE,
    DIRECT_READ,
    BUFFERED_WRITE,
    TRUNCATE,
    FSYNC,
    UNLINK
  }

  @BeforeAll
  static void host() {
    EnospcSupport.requireHost();
  }

  /** What one thread did: calls per op, ENOSPC per op, and errors that are not ENOSPC. */
  private static final class Tally {
    final long[] calls = new long[Op.values().length];
    final long[] enospc = new long[Op.values().length];
    final List<String> errors = new ArrayList<>();
  }

  @Test
  void directIoOnAFullFilesystemNeverHangsNorLosesData(@TempDir Path tmp) throws Exception {
    long seconds = Long.getLong("jbtrfs.directIoStress.seconds", 120);
    Path img = ImageFiles.mkfs(tmp, "dio.img", IMAGE);
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Map<Path, byte[]> model = new ConcurrentHashMap<>();
    Tally[] tallies = new Tally[THREADS];
    AtomicLongArray opStart = new AtomicLongArray(THREADS);
    String[] opName = new String[THREADS];
    AtomicBoolean stop = new AtomicBoolean();
    RwFuseMount m = RwFuseMount.mount(img, mnt, "");
    boolean hung = false;
    try {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        int id = t;
        tallies[t] = new Tally();
        Path dir = Files.createDirectories(mnt.resolve("t" + t));
        Thread th =
            new Thread(
                () -> worker(id, dir, model, tallies[id], opStart, opName, stop),
                "dio-stress-" + t);
        threads.add(th);
        th.start();
      }
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      String hang = null;
      while (hang == null && threads.stream().anyMatch(Thread::isAlive)) {
        if (System.nanoTime() > end) stop.set(true);
        hang = hungCall(opStart, opName);
        Thread.sleep(250);
      }
      if (hang != null) {
        hung = true;
        String dump = Cmd.run(List.of("jstack", Long.toString(m.pid))).out();
        m.kill9();
        fail("a call did not return within " + WATCHDOG_SECONDS + " s: " + hang + "\n" + dump);
      }
      long[] calls = new long[Op.values().length];
      long[] enospc = new long[Op.values().length];
      List<String> errors = new ArrayList<>();
      for (Tally t : tallies) {
        for (int i = 0; i < calls.length; i++) {
          calls[i] += t.calls[i];
          enospc[i] += t.enospc[i];
        }
        errors.addAll(t.errors);
      }
      StringBuilder report = new StringBuilder("DirectIoStressTest: " + seconds + " s;");
      for (Op op : Op.values())
        report.append(
            String.format(" %s %d (ENOSPC %d);", op, calls[op.ordinal()], enospc[op.ordinal()]));
      System.out.println(report);
      assertTrue(errors.isEmpty(), "calls failed with errors other than ENOSPC: " + errors);
      long totalEnospc = Arrays.stream(enospc).sum();
      assertTrue(totalEnospc > 0, "the filesystem never ran out of space: " + report);
      // Everything the model says, read back once more (the workers checked as they went).
      for (Map.Entry<Path, byte[]> e : new TreeMap<>(model).entrySet()) {
        byte[] got = readDirect(e.getKey(), 0, Math.max(ALIGN, e.getValue().length));
        assertEquals(e.getValue().length, got.length, "size of " + e.getKey());
        assertTrue(Arrays.equals(e.getValue(), got), "contents of " + e.getKey());
      }
      System.out.println("DirectIoStressTest: " + model.size() + " files verified at the end");
    } finally {
      stop.set(true);
      if (!hung) m.close();
    }
    BtrfsCheck.assertClean(img, "after the O_DIRECT stress");
  }

  /** The call that has been running longer than the watchdog allows, or null. */
  private static String hungCall(AtomicLongArray opStart, String[] opName) {
    long now = System.nanoTime();
    for (int i = 0; i < opStart.length(); i++) {
      long s = opStart.get(i);
      if (s != 0 && now - s > WATCHDOG_SECONDS * 1_000_000_000L)
        return "thread " + i + ": " + opName[i];
    }
    return null;
  }

  private static void worker(
      int id,
      Path dir,
      Map<Path, byte[]> model,
      Tally tally,
      AtomicLongArray opStart,
      String[] opName,
      AtomicBoolean stop) {
    SplittableRandom r = new SplittableRandom(1234 + id);
    while (!stop.get()) {
      Path f = dir.resolve("f" + r.nextInt(FILES_PER_THREAD));
      Op op = pick(r);
      opName[id] = op + " " + f;
      opStart.set(id, System.nanoTime());
      tally.calls[op.ordinal()]++;
      try {
        run(op, f, model, r);
      } catch (IOException e) {
        if (EnospcSupport.isEnospc(e)) tally.enospc[op.ordinal()]++;
        else tally.errors.add(op + " " + f + ": " + EnospcSupport.messageOf(e));
      } catch (AssertionError e) {
        tally.errors.add(op + " " + f + ": " + e.getMessage());
      } finally {
        opStart.set(id, 0);
      }
      if (tally.errors.size() > 20) return;
    }
  }

  private static Op pick(SplittableRandom r) {
    int x = r.nextInt(100);
    if (x < 45) return Op.DIRECT_WRITE;
    if (x < 68) return Op.DIRECT_READ;
    if (x < 83) return Op.BUFFERED_WRITE;
    if (x < 90) return Op.TRUNCATE;
    if (x < 97) return Op.FSYNC;
    return Op.UNLINK;
  }

  /** One call against the mount; the model changes only by what the call reports as done. */
  private static void run(Op op, Path f, Map<Path, byte[]> model, SplittableRandom r)
      throws IOException {
    byte[] cur = model.getOrDefault(f, new byte[0]);
    switch (op) {
      case DIRECT_WRITE -> {
        // Half appends, so files grow dense and the filesystem keeps filling up.
        long off =
            r.nextBoolean()
                ? Math.min(MAX_FILE - ALIGN, cur.length / ALIGN * ALIGN)
                : (long) r.nextInt(Math.min(MAX_FILE, cur.length + ALIGN) / ALIGN) * ALIGN;
        int len = ALIGN * (1 + r.nextInt(256));
        len = (int) Math.min(len, MAX_FILE - off);
        byte[] data = randomBytes(r, len);
        int done = 0;
        try (FileChannel ch = open(f, true)) {
          ByteBuffer buf = aligned(len);
          buf.put(data).flip();
          while (buf.hasRemaining()) done += ch.write(buf, off + done);
        } finally {
          if (done > 0 || Files.exists(f)) model.put(f, apply(cur, off, data, done));
        }
      }
      case DIRECT_READ -> {
        if (!model.containsKey(f)) return;
        long off = cur.length == 0 ? 0 : (long) r.nextInt((cur.length + ALIGN - 1) / ALIGN) * ALIGN;
        int len = ALIGN * (1 + r.nextInt(64));
        byte[] got = readDirect(f, off, len);
        int expect = (int) Math.max(0, Math.min(len, cur.length - off));
        assertEquals(expect, got.length, "direct read length at " + off + " of " + f);
        byte[] want = Arrays.copyOfRange(cur, (int) off, (int) off + expect);
        if (!Arrays.equals(want, got))
          throw new AssertionError(
              "direct read at " + off + " of " + f + " differs from what was written");
      }
      case BUFFERED_WRITE -> {
        long off = r.nextInt(Math.min(MAX_FILE, cur.length + (1 << 20)));
        int len = 1 + r.nextInt((int) Math.min(256 << 10, MAX_FILE - off));
        byte[] data = randomBytes(r, len);
        int done = 0;
        try (FileChannel ch =
            FileChannel.open(f, StandardOpenOption.WRITE, StandardOpenOption.CREATE)) {
          ByteBuffer buf = ByteBuffer.wrap(data);
          while (buf.hasRemaining()) done += ch.write(buf, off + done);
        } finally {
          if (done > 0 || Files.exists(f)) model.put(f, apply(cur, off, data, done));
        }
      }
      case TRUNCATE -> {
        if (!model.containsKey(f)) return;
        // Mostly trims a little, sometimes a lot (unaligned sizes: partial last pages).
        int size =
            r.nextInt(4) == 0
                ? r.nextInt(cur.length + 1)
                : Math.max(0, cur.length - r.nextInt(1 << 20));
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
          raf.setLength(size);
        }
        model.put(f, Arrays.copyOf(cur, size));
      }
      case FSYNC -> {
        if (!model.containsKey(f)) return;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
          ch.force(true);
        }
      }
      case UNLINK -> {
        if (!model.containsKey(f)) return;
        try {
          Files.delete(f);
        } catch (NoSuchFileException gone) {
          throw new AssertionError("file vanished: " + f);
        }
        model.remove(f);
      }
    }
  }

  /** The file's contents after {@code done} bytes of {@code data} landed at {@code off}. */
  private static byte[] apply(byte[] cur, long off, byte[] data, int done) {
    if (done == 0) return cur;
    int end = (int) off + done;
    byte[] next = Arrays.copyOf(cur, Math.max(cur.length, end));
    System.arraycopy(data, 0, next, (int) off, done);
    return next;
  }

  private static byte[] randomBytes(SplittableRandom r, int len) {
    byte[] b = new byte[len];
    // Compressible and not: runs of one byte, and random bytes.
    if (r.nextInt(4) == 0) Arrays.fill(b, (byte) r.nextInt(256));
    else
      for (int i = 0; i < len; i += 8) {
        long v = r.nextLong();
        for (int j = 0; j < 8 && i + j < len; j++) b[i + j] = (byte) (v >>> (8 * j));
      }
    return b;
  }

  private static FileChannel open(Path f, boolean write) throws IOException {
    List<OpenOption> opts =
        new ArrayList<>(List.of(StandardOpenOption.READ, ExtendedOpenOption.DIRECT));
    if (write) {
      opts.add(StandardOpenOption.WRITE);
      opts.add(StandardOpenOption.CREATE);
    }
    return FileChannel.open(f, opts.toArray(new OpenOption[0]));
  }

  /** A direct buffer aligned for O_DIRECT, of a whole number of blocks. */
  private static ByteBuffer aligned(int len) {
    int size = (len + ALIGN - 1) / ALIGN * ALIGN;
    return ByteBuffer.allocateDirect(size + ALIGN).alignedSlice(ALIGN).limit(size);
  }

  /** Up to {@code len} bytes at {@code off} through O_DIRECT (fewer at end of file). */
  static byte[] readDirect(Path f, long off, int len) throws IOException {
    try (FileChannel ch = open(f, false)) {
      int size = (len + ALIGN - 1) / ALIGN * ALIGN;
      ByteBuffer buf = aligned(size);
      int got = 0;
      while (got < size) {
        buf.limit(size).position(got);
        int n = ch.read(buf, off + got);
        if (n <= 0) break;
        got += n;
        // A short read is the end of the file (and leaves the position unaligned).
        if (got % ALIGN != 0) break;
      }
      byte[] out = new byte[Math.min(got, len)];
      buf.position(0);
      buf.get(out);
      return out;
    }
  }
}
