package org.jbtrfs.oracle;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * HostileImageWalkTest's comparison of jbtrfs's verdicts with the kernel's table and the documented
 * differences, and the text it prints for people: verdict counts on each side, agreements,
 * disagreements by category, each disagreement with its documented reason, and every failure.
 */
final class WalkReport {
  /** What happened to one image: jbtrfs's verdict, and what it must never do that it did. */
  record Outcome(String image, WalkVerdict verdict, List<String> failures, long millis) {}

  final List<String> failures = new ArrayList<>();
  final List<String> undocumented = new ArrayList<>();
  final List<String> documentedSeen = new ArrayList<>();
  final List<String> stale = new ArrayList<>();
  final Map<String, Integer> categories = new TreeMap<>();
  final Map<String, Integer> kernelKinds = new TreeMap<>();
  final Map<String, Integer> jbtrfsKinds = new TreeMap<>();
  int agreements;
  final List<Outcome> outcomes;

  WalkReport(
      Map<String, WalkVerdict> kernel,
      Map<String, VerdictTables.Documented> documented,
      List<Outcome> outcomes) {
    this.outcomes = outcomes;
    for (Outcome o : outcomes) {
      o.failures().forEach(f -> failures.add(o.image() + ": " + f));
      WalkVerdict k = kernel.get(o.image());
      kernelKinds.merge(k.kind().word, 1, Integer::sum);
      jbtrfsKinds.merge(o.verdict().kind().word, 1, Integer::sum);
      if (k.kind() == WalkVerdict.Kind.KERNEL_OOPS || k.kind() == WalkVerdict.Kind.HANG) {
        // The kernel has no verdict to hold jbtrfs to; surviving the image is the test.
        documentedSeen.add(
            o.image() + ": kernel " + k.kind().word + "; jbtrfs " + o.verdict().summary());
        continue;
      }
      Optional<String> d = k.disagreement(o.verdict());
      VerdictTables.Documented doc = documented.get(o.image());
      if (d.isEmpty()) {
        agreements++;
        if (doc != null) stale.add(o.image());
        continue;
      }
      String category =
          k.kind() == o.verdict().kind()
              ? "both " + k.kind().word + ", other details"
              : "kernel " + k.kind().word + ", jbtrfs " + o.verdict().kind().word;
      categories.merge(category, 1, Integer::sum);
      String line = o.image() + ": " + d.get();
      if (doc != null && doc.jbtrfs() == o.verdict().kind())
        documentedSeen.add(line + "\n    documented: " + doc.reason());
      else undocumented.add(line);
    }
  }

  String text(long seconds) {
    StringBuilder b = new StringBuilder();
    b.append("hostile-image walk: ")
        .append(outcomes.size())
        .append(" images in ")
        .append(seconds)
        .append(" s\n");
    b.append("  kernel verdicts: ").append(kernelKinds).append('\n');
    b.append("  jbtrfs verdicts: ").append(jbtrfsKinds).append('\n');
    b.append("  agreements: ")
        .append(agreements)
        .append(", disagreements: ")
        .append(categories)
        .append('\n');
    b.append("undocumented disagreements (").append(undocumented.size()).append("):\n");
    undocumented.forEach(l -> b.append("  ").append(l).append('\n'));
    b.append("documented disagreements (").append(documentedSeen.size()).append("):\n");
    documentedSeen.forEach(l -> b.append("  ").append(l).append('\n'));
    if (!stale.isEmpty())
      b.append("documented but now agreeing, remove from hostile-image-differences.tsv: ")
          .append(stale)
          .append('\n');
    b.append("failures (").append(failures.size()).append("):\n");
    failures.forEach(l -> b.append("  ").append(l).append('\n'));
    b.append("slowest images: ")
        .append(
            outcomes.stream()
                .sorted(Comparator.comparingLong(Outcome::millis).reversed())
                .limit(5)
                .map(o -> o.image() + " " + o.millis() + " ms")
                .collect(Collectors.joining(", ")))
        .append('\n');
    return b.toString();
  }
}
