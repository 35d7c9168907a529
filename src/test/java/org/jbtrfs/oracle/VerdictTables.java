package org.jbtrfs.oracle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The committed tables of the hostile-image walk, keyed by image name (its path in btrfs-progs'
 * tarball under tests/): the kernel's verdicts (kernel-verdicts.tsv, written by
 * scripts/record-kernel-verdicts) and the documented disagreements (hostile-image-differences.tsv:
 * image, jbtrfs's verdict, the reason jbtrfs differs).
 */
final class VerdictTables {
  /** A disagreement the project accepts, for as long as jbtrfs's verdict is this one. */
  record Documented(WalkVerdict.Kind jbtrfs, String reason) {}

  private VerdictTables() {}

  static Map<String, WalkVerdict> kernel() {
    Map<String, WalkVerdict> out = new LinkedHashMap<>();
    for (String[] row : rows("/kernel-verdicts.tsv", 4)) out.put(row[0], WalkVerdict.ofRow(row));
    return out;
  }

  static Map<String, Documented> documented() {
    Map<String, Documented> out = new LinkedHashMap<>();
    for (String[] row : rows("/hostile-image-differences.tsv", 3)) {
      if (out.put(row[0], new Documented(WalkVerdict.Kind.of(row[1]), row[2])) != null)
        throw new IllegalStateException("hostile-image-differences.tsv lists twice: " + row[0]);
    }
    return out;
  }

  /** The rows after the header line, '#' comments skipped; each must have at least minColumns. */
  private static List<String[]> rows(String resource, int minColumns) {
    try (InputStream in = VerdictTables.class.getResourceAsStream(resource)) {
      if (in == null) throw new IllegalStateException("missing test resource " + resource);
      List<String> lines =
          new String(in.readAllBytes(), StandardCharsets.UTF_8)
              .lines()
              .filter(l -> !l.isBlank() && !l.startsWith("#"))
              .skip(1)
              .toList();
      for (String l : lines) {
        if (l.split("\t", -1).length < minColumns)
          throw new IllegalStateException(resource + ": short row: " + l);
      }
      return lines.stream().map(l -> l.split("\t", -1)).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
