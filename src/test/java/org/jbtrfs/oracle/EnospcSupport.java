package org.jbtrfs.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Filling a mounted filesystem to ENOSPC with concurrent writers, and the errno of a failed call as
 * Java reports it. Every file whose writes and close all succeeded keeps a SHA-256, so it can be
 * read back later; a file cut short by ENOSPC is counted (its accepted bytes) but not checked.
 */
final class EnospcSupport {
  static final String ENOSPC = "No space left on device";
  static final String EROFS = "Read-only file system";
  private static final int IO_CHUNK = 128 << 10;

  private EnospcSupport() {}

  /** What a fill did: bytes accepted by write calls, finished files and their digests. */
  record Fill(
      long bytes,
      int files,
      int enospcHits,
      Map<Path, byte[]> digests,
      List<String> errors,
      long millis) {
    @Override
    public String toString() {
      return bytes
          + " bytes ("
          + (bytes >> 20)
          + " MiB) in "
          + files
          + " complete files, "
          + enospcHits
          + " writers hit ENOSPC, "
          + millis
          + " ms";
    }
  }

  static boolean isEnospc(Throwable t) {
    return messageOf(t).contains(ENOSPC);
  }

  static boolean isErofs(Throwable t) {
    return messageOf(t).contains(EROFS);
  }

  static String messageOf(Throwable t) {
    StringBuilder sb = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) sb.append(c).append(" | ");
    return sb.toString();
  }

  /**
   * {@code writers} threads each write files of {@code minSize}..{@code maxSize} bytes (random,
   * log-uniform) into {@code dir}/wN until a write fails with ENOSPC. Any other failure, or a
   * writer still running after {@code timeoutSeconds}, fails the test.
   */
  static Fill fill(
      Path dir, int writers, long seed, int minSize, int maxSize, long timeoutSeconds) {
    long t0 = System.nanoTime();
    AtomicLong bytes = new AtomicLong();
    AtomicLong enospc = new AtomicLong();
    Map<Path, byte[]> digests = new ConcurrentSkipListMap<>();
    List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int id = w;
        futures.add(
            pool.submit(
                (Callable<Void>)
                    () -> {
                      Path sub = Files.createDirectories(dir.resolve("w" + id));
                      SplittableRandom r = new SplittableRandom(seed * 7919 + id);
                      for (int n = 0; ; n++) {
                        double lg =
                            Math.log(minSize)
                                + r.nextDouble() * (Math.log(maxSize) - Math.log(minSize));
                        int size = (int) Math.min(maxSize, Math.max(minSize, Math.exp(lg)));
                        Path f = sub.resolve("f" + n);
                        try {
                          byte[] d = writeFile(f, size, r.nextLong(), bytes);
                          digests.put(f, d);
                        } catch (IOException e) {
                          if (isEnospc(e)) {
                            enospc.incrementAndGet();
                            return null;
                          }
                          errors.add(f + ": " + messageOf(e));
                          return null;
                        }
                      }
                    }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
      for (Future<?> fu : futures) {
        try {
          fu.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          fail(
              "a writer did not return within "
                  + timeoutSeconds
                  + " s (hang at ENOSPC?) after "
                  + bytes.get()
                  + " bytes");
        } catch (Exception e) {
          fail("writer failed: " + messageOf(e));
        }
      }
    } finally {
      pool.shutdownNow();
    }
    if (!errors.isEmpty()) fail("writers failed with errors other than ENOSPC: " + errors);
    return new Fill(
        bytes.get(),
        digests.size(),
        (int) enospc.get(),
        digests,
        errors,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /** Writes {@code size} seeded random bytes; adds every accepted byte to {@code accepted}. */
  static byte[] writeFile(Path f, long size, long seed, AtomicLong accepted) throws IOException {
    MessageDigest md = sha256();
    SplittableRandom r = new SplittableRandom(seed);
    byte[] buf = new byte[(int) Math.min(IO_CHUNK, Math.max(size, 1))];
    try (FileChannel ch =
        FileChannel.open(
            f,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      for (long left = size; left > 0; ) {
        int n = (int) Math.min(buf.length, left);
        for (int i = 0; i < n; i += 8) {
          long v = r.nextLong();
          for (int k = 0; k < 8 && i + k < n; k++) buf[i + k] = (byte) (v >>> (8 * k));
        }
        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
        while (bb.hasRemaining()) {
          int w = ch.write(bb);
          if (accepted != null) accepted.addAndGet(w);
        }
        md.update(buf, 0, n);
        left -= n;
      }
    }
    return md.digest();
  }

  /**
   * Writes up to {@code size} bytes into {@code f} until ENOSPC; returns how many were accepted.
   */
  static long writeUntilFull(Path f, long size) {
    AtomicLong got = new AtomicLong();
    try {
      writeFile(f, size, 42, got);
    } catch (IOException e) {
      if (!isEnospc(e))
        fail("writing " + f + " failed with something other than ENOSPC: " + messageOf(e));
    }
    return got.get();
  }

  static byte[] digestOf(Path f) {
    MessageDigest md = sha256();
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(f)) {
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + f, e);
    }
    return md.digest();
  }

  /** Every file in {@code digests} (rebased from {@code from} to {@code to}) reads back intact. */
  static void verify(Map<Path, byte[]> digests, Path from, Path to, String when) {
    int n = 0;
    for (Map.Entry<Path, byte[]> e : digests.entrySet()) {
      Path p = to.resolve(from.relativize(e.getKey()));
      assertArrayEquals(e.getValue(), digestOf(p), when + ": " + p + " does not read back intact");
      n++;
    }
    assertEquals(digests.size(), n);
  }

  /** Runs {@code body} and fails the test if it does not return within {@code seconds}. */
  static <T> T within(long seconds, String what, Callable<T> body) throws Exception {
    ExecutorService one = Executors.newSingleThreadExecutor();
    try {
      Future<T> f = one.submit(body);
      try {
        return f.get(seconds, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        fail(what + " did not return within " + seconds + " s");
        return null;
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof Exception ex) throw ex;
        throw e;
      }
    } finally {
      one.shutdownNow();
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Prerequisites of the FUSE-and-kernel tests; aborts (skips) with a printed reason. */
  static void requireHost() {
    Environment.requireOracleHost();
  }
}
