package org.jbtrfs.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Files that were fsynced and not touched since, with their bytes at fsync time: after a crash each
 * must be found at its path with exactly those bytes. Invalidation happens before a change is sent,
 * so an operation cut short by the kill cannot leave a stale record behind.
 */
final class DurableLog {
  record Rec(String path, ModelFile file, long version, byte[] bytes) {
    boolean stillValid() {
      return file.version == version;
    }
  }

  private final Map<String, Rec> byPath = new ConcurrentHashMap<>();

  /** Caller holds f.lock and the fsync returned successfully. */
  void fsynced(String path, ModelFile f) {
    byPath.put(path, new Rec(path, f, f.version, f.contents()));
  }

  /** The name at {@code path}, or anything below it, is about to change. */
  void invalidate(String path) {
    byPath.keySet().removeIf(p -> p.equals(path) || p.startsWith(path + "/"));
  }

  /** Records still promised; read only while no worker runs. */
  List<Rec> valid() {
    List<Rec> out = new ArrayList<>();
    for (Rec r : byPath.values()) {
      if (r.stillValid()) out.add(r);
    }
    return out;
  }
}
