package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

/**
 * State the workers of one workload run share: the mount, the shared directory and its lock,
 * per-operation counters, the first failure (which stops everyone), and in crash tests the durable
 * records and the "daemon was killed" flag that turns I/O errors into a quiet stop.
 */
final class FsxContext {
  final Path root;
  final ModelDir shared;

  /** Held for the whole of any operation that reads or changes the shared directory. */
  final ReentrantLock sharedLock = new ReentrantLock();

  final DurableLog durable;
  final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  final AtomicReference<Throwable> failure = new AtomicReference<>();
  volatile boolean killed;
  volatile boolean stop;

  /** Cleared on the first EINVAL from an O_DIRECT open, so a host without it skips those ops. */
  volatile boolean directIo = true;

  FsxContext(Path root, ModelDir shared, DurableLog durable) {
    this.root = root;
    this.shared = shared;
    this.durable = durable;
  }

  void count(String op) {
    counts.computeIfAbsent(op, k -> new AtomicLong()).incrementAndGet();
  }

  long total() {
    return counts.values().stream().mapToLong(AtomicLong::get).sum();
  }

  String summary() {
    Map<String, Long> m = new TreeMap<>();
    counts.forEach((k, v) -> m.put(k, v.get()));
    return m.toString();
  }

  void fail(Throwable t) {
    failure.compareAndSet(null, t);
    stop = true;
  }
}
