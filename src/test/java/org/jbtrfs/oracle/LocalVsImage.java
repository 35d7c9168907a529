package org.jbtrfs.oracle;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares a tree the kernel shows from an image with the expected tree kept on the local (ext4)
 * disk, where the same operations were applied with coreutils.
 *
 * <p>Compared for every entry: the set of paths, type, permission bits, uid, gid, symlink targets,
 * contents (sha256), user.* xattrs, and for non-directories size and nlink. mtime is compared to
 * the nanosecond, except on paths an operation itself stamped with "now" (parents of removed, added
 * or moved entries, truncated files): jbtrfs and coreutils ran at different instants, so there both
 * sides must only lie inside the window the operations ran in.
 *
 * <p>Not compared, because the two filesystems legitimately differ: ino and blocks (allocation
 * policy), atime (relatime on the local disk) and ctime (set by cp/put/rename at different moments
 * and not settable from user space), directory size (btrfs: twice the name bytes; ext4: whole
 * blocks) and directory nlink (btrfs: always 1; ext4: 2 + subdirectories), and xattrs outside
 * user.* (put copies user.* only; security.* labels belong to the local disk).
 */
final class LocalVsImage {
  private static final Set<String> IGNORED = Set.of("ino", "blocks", "atime", "ctime");

  private LocalVsImage() {}

  /**
   * Differences of the image tree from the expected one.
   *
   * @param stamped paths (relative, "." for the root) whose mtime an operation set to "now"
   * @param windowStart epoch seconds before the first of those operations
   */
  static List<String> diff(Path expectedDir, Path imageDir, Set<String> stamped, long windowStart) {
    Manifest exp = normalize(ManifestReader.read(expectedDir));
    Manifest act = normalize(ManifestReader.read(imageDir));
    List<String> out = new ArrayList<>();
    long windowEnd = System.currentTimeMillis() / 1000 + 1;
    for (String p : stamped) {
      for (Manifest m : List.of(exp, act)) {
        Map<String, String> e = m.entries().get(p);
        if (e == null) continue;
        long sec = Long.parseLong(e.get("mtime").split("\\.")[0]);
        if (sec < windowStart || sec > windowEnd) {
          out.add(
              Manifest.quote(p)
                  + ": mtime "
                  + e.get("mtime")
                  + " outside the operation window ["
                  + windowStart
                  + ", "
                  + windowEnd
                  + "] on the "
                  + (m == exp ? "expected" : "image")
                  + " side");
        }
      }
    }
    exp = exp.withoutFields(e -> stamped.contains(e.get("@path")), Set.of("mtime"));
    act = act.withoutFields(e -> stamped.contains(e.get("@path")), Set.of("mtime"));
    out.addAll(Manifest.diff(exp, act, IGNORED));
    return out;
  }

  /** Drops the fields that may differ (see the class comment); tags each entry with its path. */
  private static Manifest normalize(Manifest in) {
    Manifest m = new Manifest();
    in.errors().forEach(m::error);
    in.entries()
        .forEach(
            (path, fields) -> {
              boolean dir = "dir".equals(fields.get("type"));
              fields.forEach(
                  (k, v) -> {
                    if (k.startsWith("xattr:") && !k.startsWith("xattr:user.")) return;
                    if (dir && (k.equals("size") || k.equals("nlink"))) return;
                    m.put(path, k, v);
                  });
              // The path as a field lets withoutFields() select entries by path; it is the same on
              // both sides.
              m.put(path, "@path", path);
            });
    return m;
  }
}
