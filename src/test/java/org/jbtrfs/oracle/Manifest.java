package org.jbtrfs.oracle;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a mounted tree shows to a reader: for every path (relative to the mount point, "." for the
 * root) a sorted map of field name to value, plus any errors the tools reported while reading.
 * Readdir order is not recorded; the set of paths is.
 *
 * <p>Field names: type, mode (octal permission and special bits), uid, gid, size, blocks, nlink,
 * ino, atime/mtime/ctime ("seconds.nanoseconds"), rdev ("major:minor", device nodes only), target
 * (symlinks only), sha256 (regular files only) and one "xattr:NAME" (hex value) per extended
 * attribute.
 */
final class Manifest {
  private final SortedMap<String, SortedMap<String, String>> entries = new TreeMap<>();
  private final List<String> errors = new ArrayList<>();

  void put(String path, String field, String value) {
    entries.computeIfAbsent(path, p -> new TreeMap<>()).put(field, value);
  }

  void error(String message) {
    errors.add(message);
  }

  boolean contains(String path) {
    return entries.containsKey(path);
  }

  SortedMap<String, SortedMap<String, String>> entries() {
    return Collections.unmodifiableSortedMap(entries);
  }

  List<String> errors() {
    return Collections.unmodifiableList(errors);
  }

  /** A copy with one field changed: lets tests build variants without a filesystem. */
  Manifest with(String path, String field, String value) {
    Manifest m = new Manifest();
    entries.forEach((p, fields) -> fields.forEach((f, v) -> m.put(p, f, v)));
    m.errors.addAll(errors);
    if (value == null) {
      m.entries.get(path).remove(field);
    } else {
      m.put(path, field, value);
    }
    return m;
  }

  /**
   * A copy without the given fields on entries matching the predicate: for values the kernel makes
   * up at mount time rather than reads from disk.
   */
  Manifest withoutFields(
      java.util.function.Predicate<Map<String, String>> where, Set<String> fields) {
    Manifest m = new Manifest();
    entries.forEach(
        (p, f) ->
            f.forEach(
                (k, v) -> {
                  if (!(fields.contains(k) && where.test(f))) {
                    m.put(p, k, v);
                  }
                }));
    m.errors.addAll(errors);
    return m;
  }

  /**
   * Differences of actual against expected, one readable line each. A field is skipped if
   * ignoredFields holds its name or its namespace prefix before ':' (so "xattr" ignores every
   * xattr). Tool errors on either side always count.
   */
  static List<String> diff(Manifest expected, Manifest actual, Set<String> ignoredFields) {
    List<String> out = new ArrayList<>();
    for (String e : expected.errors) {
      out.add("error while reading expected tree: " + e);
    }
    for (String e : actual.errors) {
      out.add("error while reading actual tree: " + e);
    }
    Set<String> paths = new TreeSet<>(expected.entries.keySet());
    paths.addAll(actual.entries.keySet());
    for (String path : paths) {
      Map<String, String> exp = expected.entries.get(path);
      Map<String, String> act = actual.entries.get(path);
      if (act == null) {
        out.add(quote(path) + ": missing (expected " + exp.get("type") + ")");
        continue;
      }
      if (exp == null) {
        out.add(quote(path) + ": unexpected " + act.get("type"));
        continue;
      }
      Set<String> fields = new TreeSet<>(exp.keySet());
      fields.addAll(act.keySet());
      for (String field : fields) {
        if (ignored(field, ignoredFields)) {
          continue;
        }
        String e = exp.get(field);
        String a = act.get(field);
        if (!Objects.equals(e, a)) {
          out.add(quote(path) + ": " + field + " expected " + show(e) + " but was " + show(a));
        }
      }
    }
    return out;
  }

  /** The first {@code limit} differences and the total, for an assertion message. */
  static String report(List<String> differences, int limit) {
    StringBuilder sb = new StringBuilder();
    sb.append(differences.size()).append(" difference(s)");
    if (differences.size() > limit) {
      sb.append(", first ").append(limit);
    }
    sb.append(':');
    differences.stream().limit(limit).forEach(d -> sb.append("\n  ").append(d));
    return sb.toString();
  }

  private static boolean ignored(String field, Set<String> ignoredFields) {
    int colon = field.indexOf(':');
    return ignoredFields.contains(field)
        || (colon > 0 && ignoredFields.contains(field.substring(0, colon)));
  }

  /** Java-style quoting so control characters and trailing spaces stay visible. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format("\\x%02x", (int) c));
      } else if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }

  private static String show(String v) {
    if (v == null) {
      return "(absent)";
    }
    return v.length() > 80 ? v.substring(0, 80) + "...(" + v.length() + " chars)" : quote(v);
  }
}
