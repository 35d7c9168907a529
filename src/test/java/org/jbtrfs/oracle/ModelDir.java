package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A directory of the workload model: names to {@link ModelFile} or {@link ModelDir}. A worker's own
 * tree is changed only by that worker; the shared directory only under the shared lock.
 */
final class ModelDir {
  String name;
  ModelDir parent;
  int perms = 0755;
  final Map<String, byte[]> xattrs = new HashMap<>();
  final Map<String, Object> entries = new HashMap<>();

  ModelDir(ModelDir parent, String name) {
    this.parent = parent;
    this.name = name;
  }

  /** Path relative to the mount's root, e.g. "t0/d3/d1" (the root itself is ""). */
  String rel() {
    if (parent == null) return name;
    String p = parent.rel();
    return p.isEmpty() ? name : p + "/" + name;
  }

  Path on(Path root) {
    String r = rel();
    return r.isEmpty() ? root : root.resolve(r);
  }

  /** True if {@code d} is this directory or below it (a rename there would make a loop). */
  boolean contains(ModelDir d) {
    for (ModelDir x = d; x != null; x = x.parent) {
      if (x == this) return true;
    }
    return false;
  }
}
