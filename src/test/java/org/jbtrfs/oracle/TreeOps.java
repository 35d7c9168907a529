package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.Set;

/**
 * Tree changes applied to a filesystem under test and to a local expected copy at once, so a
 * workload can be written once and driven through the jbtrfs CLI ({@link TwinOps}) or through a
 * mount ({@link MountTwin}). Paths are relative to the tree's root; {@link #stamped()} lists the
 * paths whose mtime an operation set to "now" (see {@link LocalVsImage}).
 */
interface TreeOps {
  void rmTree(String rel);

  void mv(String from, String to);

  void truncate(String rel, long size);

  void setXattr(String rel, String name, String value);

  void removeXattr(String rel, String name);

  /** Copies a local directory in as {@code rel}. */
  void put(Path source, String rel);

  Set<String> stamped();

  /** Marks a path whose mtime was set to "now" by something outside this object. */
  void stamp(String rel);
}
